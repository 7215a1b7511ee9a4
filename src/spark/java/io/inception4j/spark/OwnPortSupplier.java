package io.inception4j.spark;

import org.apache.spark.SparkEnv;
import org.nd4j.parameterserver.distributed.v2.transport.PortSupplier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;

/**
 * The UDP port of each Aeron endpoint of the SharedTrainingMaster: the configured port (train.distributed.port)
 * on the driver, a free port on each executor. DL4J's StaticPortSupplier gives every node the same port, which
 * works with one executor per machine; with several on one machine (scripts/spark-cluster) the executors
 * could not bind it, never reached the driver, and the driver's network never changed.
 */
final class OwnPortSupplier implements PortSupplier {
    private static final long serialVersionUID = 1L;
    private final int driverPort;

    OwnPortSupplier(int driverPort) {
        this.driverPort = driverPort;
    }

    @Override
    public int getPort() {
        SparkEnv env = SparkEnv.get();
        // In local mode the executors share the driver's JVM and its single parameter server.
        if (env == null || "driver".equals(env.executorId())) return driverPort;
        try (DatagramSocket probe = new DatagramSocket(0)) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("finding a free UDP port for Aeron", e);
        }
    }
}
