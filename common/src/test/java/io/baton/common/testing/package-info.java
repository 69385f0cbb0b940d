/**
 * Test support shared by the services' tests (published as the common test-jar): where the
 * real servers the integration tests use are.
 */
package io.baton.common.testing;
