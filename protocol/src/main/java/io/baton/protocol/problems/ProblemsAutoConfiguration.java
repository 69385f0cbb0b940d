package io.baton.protocol.problems;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;

/**
 * What every Baton web application gets from the protocol without declaring it: the request id of
 * every request ({@link RequestIds}).
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class ProblemsAutoConfiguration {

    @Bean
    RequestIds requestIds() {
        return new RequestIds();
    }
}
