package io.baton.inference.segments;

import io.baton.protocol.BatonHeaders;
import io.baton.protocol.inference.SegmentRequest;
import io.baton.protocol.inference.SegmentResponse;
import jakarta.validation.Valid;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code POST /v1/segments}: process one segment of a document (tenant in {@code X-Baton-Tenant});
 * the answer's {@code Server-Timing} header says where the segment's time went ({@link SegmentTimings}).
 */
@RestController
public class SegmentController {

    private final SegmentService segments;

    public SegmentController(SegmentService segments) {
        this.segments = segments;
    }

    @PostMapping(path = "/v1/segments", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<SegmentResponse>> process(@RequestHeader(BatonHeaders.TENANT) String tenant,
                                                         @Valid @RequestBody SegmentRequest request) {
        SegmentTimings timings = new SegmentTimings();
        return segments.process(tenant, request, timings)
                .map(response -> ResponseEntity.ok().header(SegmentTimings.HEADER, timings.header()).body(response));
    }
}
