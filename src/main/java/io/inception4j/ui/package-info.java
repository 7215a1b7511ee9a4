/**
 * Watching training live: DL4J's training UI (score, update:parameter ratios, activations, memory, per layer)
 * served from this process on a loopback address, fed by a {@code StatsListener} that writes each run's
 * statistics into its run directory, from which {@code inception4j ui} replays finished runs. Sits on top of
 * {@link io.inception4j.train}: the trainer knows nothing of it; the command line attaches it to a run as a
 * {@link io.inception4j.train.TrainingObserver}.
 */
package io.inception4j.ui;
