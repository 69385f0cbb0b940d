package io.baton.inference.models;

import ai.onnxruntime.OrtSession;
import io.baton.inference.InferenceProperties;
import io.baton.inference.InvalidConfigurationException;
import io.baton.inference.runtime.SessionOptionsFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every model the service serves, loaded at start-up from the folders under {@code
 * baton.models.dir} that hold a {@code model.onnx}: one {@link SegmentModel} (one ONNX Runtime
 * session) each, by id (the folder name). Models built here bring {@code baton-model.json};
 * exports from the Hugging Face hub get a derived plan ({@link HubExportPlan}). A folder that
 * cannot be loaded, an empty models folder or a default model that is not there stops start-up.
 * With {@code baton.models.load=default} only the default model's folder is loaded (the others are
 * not opened, so not checked either).
 * {@link #close()} closes every session.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

    private final Map<String, SegmentModel> models;
    private final SegmentModel defaultModel;
    private final OrtSession.SessionOptions options;

    public ModelRegistry(InferenceProperties.Models config, SessionOptionsFactory sessions) {
        List<Path> folders = modelFolders(config.dir());
        if (config.defaultOnly()) {       // a model's id is its folder's name
            List<String> ids = folders.stream().map(f -> f.getFileName().toString()).toList();
            if (!ids.contains(config.defaultModel())) {
                throw missingDefault(config, ids);
            }
            folders = List.of(config.dir().resolve(config.defaultModel()));
        }
        this.options = sessions.create();
        Map<String, SegmentModel> loaded = new TreeMap<>();
        try {
            for (Path folder : folders) {
                SegmentModel model = SegmentModel.load(folder, options, config.maxPast());
                loaded.put(model.id(), model);
                log.info("model {}: family {}, {} state tensors, {} state bytes per document, plan {}, digest {}",
                        model.id(), model.plan().family(), model.plan().state().size(), model.plan().stateBytes(),
                        Files.isRegularFile(folder.resolve("baton-model.json")) ? "from baton-model.json"
                                : "derived from the graph and config.json", model.digest());
            }
            SegmentModel chosen = loaded.get(config.defaultModel());
            if (chosen == null) {
                throw missingDefault(config, loaded.keySet());
            }
            this.models = Collections.unmodifiableMap(loaded);
            this.defaultModel = chosen;
        } catch (RuntimeException e) {
            loaded.values().forEach(m -> closeInto(m, e));
            options.close();
            throw e;
        }
        log.info("{} models loaded from {}; default model {}", models.size(), config.dir(), defaultModel.id());
    }

    /** The model called {@code id}. */
    public SegmentModel get(String id) {
        SegmentModel model = models.get(id);
        if (model == null) {
            throw new UnknownModelException(id, models.keySet());
        }
        return model;
    }

    /** The model {@code id}, or the default model when {@code id} is null or blank. */
    public SegmentModel resolve(String id) {
        return id == null || id.isBlank() ? defaultModel() : get(id);
    }

    /** The model a request without a model id gets. */
    public SegmentModel defaultModel() {
        return defaultModel;
    }

    /** {@code id} if a model of that id is loaded, else null. */
    public String loaded(String id) {
        return models.containsKey(id) ? id : null;
    }

    /** Every model, by id. */
    public List<SegmentModel> all() {
        return List.copyOf(models.values());
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (SegmentModel model : models.values()) {
            try {
                model.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        options.close();
        if (failure != null) {
            throw failure;
        }
    }

    private static InvalidConfigurationException missingDefault(InferenceProperties.Models config, Collection<String> ids) {
        return new InvalidConfigurationException("the default model '" + config.defaultModel()
                + "' (baton.models.default-model, BATON_DEFAULT_MODEL) is not among the models in " + config.dir()
                + ": " + String.join(", ", ids));
    }

    private static List<Path> modelFolders(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidConfigurationException("the models folder " + dir.toAbsolutePath()
                    + " (baton.models.dir, BATON_MODELS_DIR) is not a directory");
        }
        List<Path> folders = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            entries.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().forEach(folders::add);
        } catch (IOException e) {
            throw new InvalidConfigurationException("cannot list the models folder " + dir.toAbsolutePath(), e);
        }
        if (folders.isEmpty()) {
            throw new InvalidConfigurationException("the models folder " + dir.toAbsolutePath()
                    + " (baton.models.dir, BATON_MODELS_DIR) has no model folder (a folder with a model.onnx)");
        }
        return folders;
    }

    private static void closeInto(SegmentModel model, RuntimeException failure) {
        try {
            model.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
