package io.baton.protocol.problems;

import io.baton.protocol.deadlines.Deadlines;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.codec.ServerCodecConfigurer;

/**
 * What every Baton web application gets from the protocol without declaring it: the request id of
 * every request ({@link RequestIds}) and the deadline its caller sent ({@link Deadlines}).
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class ProblemsAutoConfiguration {

    @Bean
    RequestIds requestIds() {
        return new RequestIds();
    }

    /** Needs the service's one problem advice, to answer a passed or malformed deadline as the service does. */
    @Bean
    @ConditionalOnSingleCandidate(ProblemAdvice.class)
    Deadlines deadlines(ServerCodecConfigurer codecs, ProblemAdvice advice) {
        return new Deadlines(new FilterProblems(codecs, advice));
    }
}
