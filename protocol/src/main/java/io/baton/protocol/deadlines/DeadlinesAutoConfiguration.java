package io.baton.protocol.deadlines;

import io.baton.protocol.problems.FilterProblems;
import io.baton.protocol.problems.ProblemAdvice;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.codec.ServerCodecConfigurer;

/**
 * What every Baton web application gets without declaring it: the deadline its caller sent
 * ({@link Deadlines}), answered as the service's one problem advice answers a passed or malformed
 * deadline.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class DeadlinesAutoConfiguration {

    @Bean
    @ConditionalOnSingleCandidate(ProblemAdvice.class)
    Deadlines deadlines(ServerCodecConfigurer codecs, ProblemAdvice advice) {
        return new Deadlines(new FilterProblems(codecs, advice));
    }
}
