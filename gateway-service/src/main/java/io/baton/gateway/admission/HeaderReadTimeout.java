package io.baton.gateway.admission;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request line and headers do not arrive whole within a time, counted
 * from when the connection opened or its last answer was sent: Reactor Netty's request timeout
 * starts only once the headers are read, and its idle timeout never fires while a byte a second
 * arrives, so without this a client that trickles its headers holds its connection for ever.
 * Sits right after the HTTP codec, where a decoded request shows that its headers arrived.
 * Nothing is answered (the request was never read): the connection is closed.
 */
final class HeaderReadTimeout extends ChannelDuplexHandler {

    /** Its name in the channel pipeline. */
    static final String NAME = "baton.headerReadTimeout";

    private final long nanos;
    private ScheduledFuture<?> timer;
    /** Requests read and not answered yet (more than one only when a client pipelines them). */
    private int open;

    HeaderReadTimeout(Duration timeout) {
        this.nanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest) {
            open++;
            disarm();
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof LastHttpContent) {
            // The last answer is out: the next request's headers are timed from here.
            promise.addListener(written -> {
                open = Math.max(0, open - 1);
                if (open == 0 && written.isSuccess() && ctx.channel().isActive()) {
                    arm(ctx);
                }
            });
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        disarm();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    private void arm(ChannelHandlerContext ctx) {
        disarm();
        timer = ctx.executor().schedule(() -> ctx.close(), nanos, TimeUnit.NANOSECONDS);
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
