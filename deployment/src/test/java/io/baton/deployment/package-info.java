/**
 * The Kubernetes manifests of {@code k8s/} as a user gets them: each overlay rendered by {@code kubectl
 * kustomize} ({@link io.baton.deployment.Manifests}), every object validated against the Kubernetes API
 * schema with unknown fields refused ({@link io.baton.deployment.ApiSchema}), and the platform's rules
 * checked on the parsed objects ({@link io.baton.deployment.ManifestRules}, the network policies by
 * {@link io.baton.deployment.NetworkPolicies}). Each rule answers a list of violations, so a test can show
 * that a broken manifest is caught as well as that the real ones pass.
 */
package io.baton.deployment;
