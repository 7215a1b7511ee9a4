/**
 * Hyperparameter sweeps on DL4J's Arbiter: Arbiter's parameter spaces, candidate generators (random and
 * grid), termination conditions and runner, with our own candidate type (a set of config overrides) so that
 * the config files stay the single source of truth and every candidate is an ordinary training run.
 */
package io.inception4j.sweep;
