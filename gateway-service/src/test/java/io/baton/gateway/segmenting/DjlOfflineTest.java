package io.baton.gateway.segmenting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.util.Utils;
import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Loading and running a tokenizer leaves DJL unable to reach the network.
 *
 * <p>DJL goes to the network in two places: downloading a native library it cannot find in its
 * jar ({@code Utils.openUrl}, which refuses in offline mode, and otherwise asks the default
 * {@link ProxySelector}), and a call-home made whenever a tokenizer is created
 * ({@code Ec2Utils.callHome}: the cloud instance-metadata address, then a telemetry URL, opened
 * with {@code Proxy.NO_PROXY}, so no proxy selector sees it). The call-home returns at once when
 * {@code Utils.isOfflineMode()} or {@code OPT_OUT_TRACKING} is true, which is what this test
 * checks after a real load; the test never calls it itself, since with a broken guard that call
 * would leave the machine. A selector that records and refuses catches a download attempt.
 */
class DjlOfflineTest {

    @Test
    void aLoadedTokenizerLeavesDjlOfflineAndMakesNoRequest() {
        List<URI> requested = new CopyOnWriteArrayList<>();
        ProxySelector previous = ProxySelector.getDefault();
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                requested.add(uri);
                throw new IllegalStateException("a test forbids network access; asked for " + uri);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress address, IOException e) {
                requested.add(uri);
            }
        });
        try (TextTokenizer tokenizer = TextTokenizer.load(TestData.gemma2())) {
            assertEquals(5, tokenizer.encode("hello").size());
        } finally {
            ProxySelector.setDefault(previous);
        }
        assertEquals(List.of(), requested, "no URL may be opened");
        assertTrue(Utils.isOfflineMode(), "DJL is in offline mode (no download, no call-home)");
        assertTrue(Boolean.parseBoolean(Utils.getEnvOrSystemProperty(DjlOffline.OPT_OUT_TRACKING)),
                "DJL's call-home is opted out");
    }
}
