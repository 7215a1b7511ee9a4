package io.inception4j.serve;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * How the server library was chosen: two candidates answer a 4 KB POST with a fixed 70-byte JSON answer (the
 * body read in full, as predict reads it), in this JVM, hit by {@link LoadGenerator} at concurrency 32 for
 * SECONDS each, alternating, ROUNDS times. Netty is the 4.1.48 already on the classpath through DL4J's UI
 * (Vert.x 3.9); Jetty is 12.1 core. Prints one JSON line per run. scripts/bench-serve runs it.
 */
public final class HttpLibraryComparison {
    static final byte[] ANSWER = "{\"model\":\"x\",\"predictions\":[{\"label\":\"daffodil\",\"probability\":0.5}]}".getBytes(StandardCharsets.UTF_8);

    interface Running extends AutoCloseable {
        URI url();

        @Override
        void close() throws Exception;
    }

    static Running jetty() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(200, 8);
        pool.setDaemon(true);
        Server server = new Server(pool);
        ServerConnector c = new ServerConnector(server, 1, 1);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Content.Source.asByteBuffer(request); // the whole body, blocking, as ModelServer reads it
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.write(true, ByteBuffer.wrap(ANSWER), callback);
                return true;
            }
        });
        server.start();
        return new Running() {
            public URI url() {
                return URI.create("http://127.0.0.1:" + c.getLocalPort() + "/");
            }

            public void close() throws Exception {
                server.stop();
            }
        };
    }

    static Running netty() throws InterruptedException {
        EventLoopGroup boss = new NioEventLoopGroup(1), workers = new NioEventLoopGroup(2);
        Channel ch = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel s) {
                        s.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(ANSWER));
                                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, ANSWER.length);
                                ctx.writeAndFlush(r);
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        int port = ((java.net.InetSocketAddress) ch.localAddress()).getPort();
        return new Running() {
            public URI url() {
                return URI.create("http://127.0.0.1:" + port + "/");
            }

            public void close() throws InterruptedException {
                ch.close().sync();
                boss.shutdownGracefully().sync();
                workers.shutdownGracefully().sync();
            }
        };
    }

    /** {@code HttpLibraryComparison SECONDS ROUNDS} */
    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args[0]), rounds = Integer.parseInt(args[1]);
        byte[] body = new byte[4096];
        new Random(1).nextBytes(body);
        for (int round = 0; round < rounds; round++) {
            for (String lib : List.of("jetty-12.1.13", "netty-4.1.48")) {
                try (Running s = lib.startsWith("jetty") ? jetty() : netty()) {
                    var r = new LoadGenerator(s.url(), "x", List.of(body)).closedLoop(32, Duration.ofSeconds(2), Duration.ofSeconds(seconds));
                    r.put("library", lib).put("round", round + 1);
                    System.out.println(r);
                }
            }
        }
        System.exit(0);
    }
}
