/**
 * Test support shared by the services' tests (published as the common test-jar): where the
 * real servers the integration tests use are, a real six-node Redis Cluster started by the test
 * itself ({@link io.baton.common.testing.RedisTestCluster}), a primary with two replicas under
 * three real Sentinels ({@link io.baton.common.testing.RedisTestSentinel}), a Redis that speaks only
 * TLS and wants client certificates ({@link io.baton.common.testing.RedisTestTls}), the repository's test data ({@link
 * io.baton.common.testing.DataFiles}), services started in-process or as JVMs of their own, a
 * certificate authority made for one test ({@link io.baton.common.testing.TestCertificates}), one
 * scrape of a service's meters read by name and labels ({@link io.baton.common.testing.Meters}).
 */
package io.baton.common.testing;
