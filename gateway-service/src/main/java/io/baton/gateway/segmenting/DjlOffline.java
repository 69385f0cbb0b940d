package io.baton.gateway.segmenting;

import ai.djl.util.Utils;

/**
 * Puts DJL in offline mode before any of its tokenizer code runs, and refuses to go on if the
 * environment overrides it.
 *
 * <p>Offline mode does two things for us. Loading the native tokenizers library then takes the
 * CPU build bundled in the jar instead of looking for a CUDA build to download, and DJL's
 * call-home (a request to the cloud instance metadata address and a telemetry URL, made when a
 * tokenizer is created) is skipped; {@code OPT_OUT_TRACKING} turns the call-home off as well.
 * DJL reads an environment variable before the system property of the same meaning, so
 * {@code DJL_OFFLINE=false} or {@code OPT_OUT_TRACKING=false} in the environment would win: that
 * is refused with a message rather than silently allowing network access.
 */
final class DjlOffline {

    static final String OFFLINE_PROPERTY = "ai.djl.offline";
    static final String OPT_OUT_TRACKING = "OPT_OUT_TRACKING";

    private DjlOffline() {
    }

    /** Sets the properties (idempotent) and checks DJL sees them. */
    static synchronized void ensure() {
        System.setProperty(OFFLINE_PROPERTY, "true");
        System.setProperty(OPT_OUT_TRACKING, "true");
        if (!Utils.isOfflineMode()) {
            throw new TokenizerLoadException("DJL is not in offline mode: the environment sets DJL_OFFLINE="
                    + System.getenv("DJL_OFFLINE") + ", which overrides " + OFFLINE_PROPERTY
                    + "; unset it (Baton never lets DJL download anything)");
        }
        if (!Boolean.parseBoolean(Utils.getEnvOrSystemProperty(OPT_OUT_TRACKING))) {
            throw new TokenizerLoadException("DJL telemetry is on: the environment sets OPT_OUT_TRACKING="
                    + System.getenv(OPT_OUT_TRACKING) + "; unset it (Baton never lets DJL call home)");
        }
    }
}
