package io.baton.protocol.access;

import io.baton.protocol.problems.ProblemAdvice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.codec.ServerCodecConfigurer;

/**
 * The access of a service of the platform, decided and logged once at start-up (the start fails
 * when it is refused), and its filter. A service imports it ({@code @Import}) and has one {@link
 * AccessSettings} bean (its configuration record) and one {@link ProblemAdvice}. Only in a
 * reactive web application: without a server there is nobody to ask. The standalone
 * application does not import it: there the services call each other in the same JVM.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class ServiceAccessConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ServiceAccessConfiguration.class);

    @Bean
    ServiceAccess serviceAccess(AccessSettings settings, Environment environment) {
        String service = environment.getProperty("spring.application.name", "service").replace('-', ' ');
        ServiceAccess access = ServiceAccess.of(service, settings, environment);
        log.info("access: {}", access.description());
        return access;
    }

    @Bean
    ServiceAccessFilter serviceAccessFilter(ServiceAccess access, ServerCodecConfigurer codecs, ProblemAdvice problems) {
        return new ServiceAccessFilter(access, codecs, problems);
    }
}
