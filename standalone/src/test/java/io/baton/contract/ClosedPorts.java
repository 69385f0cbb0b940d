package io.baton.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A port on loopback that nothing listens on: where a service that is down would be. */
final class ClosedPorts {

    private ClosedPorts() {
    }

    /** A port that was free a moment ago and is closed again. */
    static int one() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
