package io.baton.gateway;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The gateway-service starts (open access, said explicitly: it has no API keys) and reports itself healthy. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "baton.access.open=true")
@AutoConfigureWebTestClient
class GatewayServiceApplicationTest {

    @Autowired
    private WebTestClient client;

    @Test
    void healthIsUp() {
        client.get().uri("/actuator/health")
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }
}
