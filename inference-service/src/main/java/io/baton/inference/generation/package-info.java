/**
 * Generation from a document's stored state: {@code POST /v1/generate} runs a prompt from
 * checkpoint n and streams new tokens as server-sent events, carrying the state in memory only,
 * so the document's stored head never changes (a fork in effect).
 */
package io.baton.inference.generation;
