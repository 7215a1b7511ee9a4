/**
 * Charts written as PNG with plain Java2D (learning curves, confusion matrices), so a run directory can be
 * looked at without any other tool. No DL4J here.
 */
package io.inception4j.report;
