package io.inception4j.ui;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.ui.VertxUIServer;
import org.deeplearning4j.ui.api.UIServer;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * DL4J's training UI server (Vert.x), listening on the address we choose: 127.0.0.1 unless told otherwise.
 *
 * <p>DL4J 1.0.0-M2.1's {@code VertxUIServer} always listens on every network interface (it calls
 * {@code listen(port)}), and the UI has no authentication, so anyone who can reach the machine could read the
 * training statistics. We deploy DL4J's own server verticle, unchanged, but hand it a view of Vert.x whose HTTP
 * servers listen on our host: a dynamic proxy that forwards every call and only adds the host to
 * {@code listen(port, handler)}. Everything the UI serves is DL4J's.
 */
public final class UiServer implements AutoCloseable {
    private final VertxUIServer server;
    private final String host;
    private final List<StatsStorage> attached = new CopyOnWriteArrayList<>();

    private UiServer(VertxUIServer server, String host) {
        this.server = server;
        this.host = host;
    }

    private static UiServer running;

    /** Starts the UI on {@code host}:{@code port} (0: any free port); one per process, reused if already up. */
    public static synchronized UiServer start(String host, int port) {
        if (running != null && !running.server.isStopped()) {
            if (running.host.equals(host) && (port == 0 || port == running.port())) return running;
            throw new IllegalStateException("the training UI already runs at " + running.url());
        }
        // VertxUIServer takes its port from this property when it is deployed directly.
        System.setProperty(DL4JSystemProperties.UI_SERVER_PORT_PROPERTY, String.valueOf(port));
        Vertx vertx = Vertx.vertx();
        OnHost verticle = new OnHost(listeningOn(vertx, host));
        CompletableFuture<String> deployed = new CompletableFuture<>();
        vertx.deployVerticle(verticle, (AsyncResult<String> r) -> {
            if (r.succeeded()) deployed.complete(r.result());
            else deployed.completeExceptionally(r.cause());
        });
        try {
            deployed.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("the training UI could not listen on " + host + ":" + port + ": "
                    + (cause.getCause() != null ? cause.getCause().getMessage() : cause.getMessage()), cause);
        }
        running = new UiServer(verticle, host);
        return running;
    }

    /** DL4J's UI server verticle, unchanged but for the Vert.x it sees (see the class comment). */
    private static final class OnHost extends VertxUIServer {
        private final Vertx onHost;

        OnHost(Vertx onHost) {
            this.onHost = onHost;
        }

        @Override
        public void init(Vertx vertx, Context context) {
            super.init(onHost, context);
        }
    }

    /** Vert.x whose HTTP servers listen on {@code host} when asked to listen on a port only. */
    static Vertx listeningOn(Vertx real, String host) {
        return proxy(Vertx.class, real, (method, args) -> {
            if (method.getName().equals("createHttpServer") && (args == null || args.length == 0)) {
                HttpServer server = real.createHttpServer();
                return proxy(HttpServer.class, server, (m, a) -> {
                    if (m.getName().equals("listen") && a != null && a.length == 2 && a[0] instanceof Integer && a[1] instanceof Handler) {
                        @SuppressWarnings("unchecked")
                        Handler<AsyncResult<HttpServer>> h = (Handler<AsyncResult<HttpServer>>) a[1];
                        return server.listen((Integer) a[0], host, h);
                    }
                    return NOT_HANDLED;
                });
            }
            return NOT_HANDLED;
        });
    }

    private static final Object NOT_HANDLED = new Object();

    private interface Interception {
        Object call(Method method, Object[] args) throws Exception;
    }

    /** A proxy that forwards to {@code target} what {@code override} does not handle; fluent calls return the proxy. */
    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T target, Interception override) {
        Object[] self = new Object[1];
        InvocationHandler h = (p, method, args) -> {
            Object r = override.call(method, args);
            if (r == NOT_HANDLED) {
                try {
                    r = method.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
            return r == target ? self[0] : r;
        };
        self[0] = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h);
        return (T) self[0];
    }

    public String url() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getPort() + "/train/overview";
    }

    public String host() {
        return host;
    }

    public int port() {
        return server.getPort();
    }

    /** Shows {@code storage}'s sessions (a live run, or a finished run's file); closing the server closes it. */
    public void attach(StatsStorage storage) {
        server.attach(storage);
        attached.add(storage);
    }

    /** Stops serving and closes the attached storages, which releases their files' locks. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (StatsStorage s : attached) {
                try {
                    s.close();
                } catch (IOException | RuntimeException e) {
                    LoggerFactory.getLogger(UiServer.class).warn("could not close UI statistics {}: {}", s, e.toString());
                }
            }
            attached.clear();
        }
    }
}
