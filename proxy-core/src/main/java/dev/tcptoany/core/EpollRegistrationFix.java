package dev.tcptoany.core;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Epoll loops whose registrations never drop to an empty interest set.
 *
 * <p>Why: since Netty 4.2.13 (netty/netty#16689, still in 4.2.18-4.2.20), submitting an empty
 * interest set removes the fd from epoll ({@code EPOLL_CTL_DEL}) but leaves the registration marked
 * as added, so the next interest ({@code EPOLL_CTL_MOD}) fails with ENOENT. A half-closed TCP
 * connection reaches the empty set as soon as it has read the peer's FIN with nothing to write at
 * that moment; when it later has to wait for a full socket buffer, Netty reports "output shutdown"
 * and drops every queued write. For a proxy that is a silently truncated response after a client's
 * FIN. Submitting {@code EPOLLET} alone instead of nothing keeps the fd registered; edge-triggered,
 * the HUP/ERR conditions the empty set avoids are reported once rather than forever, and Netty's
 * channels handle them as before.
 */
final class EpollRegistrationFix implements IoHandlerFactory {
    private final IoHandlerFactory delegate = EpollIoHandler.newFactory();

    @Override
    public IoHandler newHandler(ThreadAwareExecutor ioExecutor) {
        return new Handler(delegate.newHandler(ioExecutor));
    }

    @Override
    public boolean isChangingThreadSupported() {
        return delegate.isChangingThreadSupported();
    }

    private static final class Handler implements IoHandler {
        private final IoHandler epoll;

        Handler(IoHandler epoll) {
            this.epoll = epoll;
        }

        @Override
        public void initialize() {
            epoll.initialize();
        }

        @Override
        public int run(IoHandlerContext context) {
            return epoll.run(context);
        }

        @Override
        public void prepareToDestroy() {
            epoll.prepareToDestroy();
        }

        @Override
        public void destroy() {
            epoll.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            return new Registration(epoll.register(handle));
        }

        @Override
        public void wakeup() {
            epoll.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return epoll.isCompatible(handleType);
        }
    }

    private static final class Registration implements IoRegistration {
        private final IoRegistration epoll;

        Registration(IoRegistration epoll) {
            this.epoll = epoll;
        }

        @Override
        public <T> T attachment() {
            return epoll.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            if (ops instanceof EpollIoOps e && e.value() == 0) {
                return epoll.submit(EpollIoOps.EPOLLET);
            }
            return epoll.submit(ops);
        }

        @Override
        public boolean isValid() {
            return epoll.isValid();
        }

        @Override
        public boolean cancel() {
            return epoll.cancel();
        }
    }
}
