package org.dossier.platform;

/**
 * Published when a request is refused for its form before any controller sees it (too large, malformed): a module
 * that must count such attempts (sign-in counts them as failures) listens for it.
 */
public record InputRefused(String method, String path, String remoteAddress, int status, String reason) {
}
