package io.baton.gateway.segmenting;

import io.baton.protocol.Ids;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * The tokenizers of the models in a models folder, loaded on first use and kept (a {@link
 * TextTokenizer} is thread-safe). A model id is a folder name; a null or blank id means the
 * default model. Closing closes every loaded tokenizer.
 */
public final class ModelTokenizers implements AutoCloseable {

    private static final Pattern MODEL_ID = Pattern.compile(Ids.MODEL_PATTERN);

    private final Path dir;
    private final String defaultModel;
    private final ConcurrentMap<String, TextTokenizer> loaded = new ConcurrentHashMap<>();

    public ModelTokenizers(Path dir, String defaultModel) {
        this.dir = dir;
        this.defaultModel = defaultModel;
    }

    /** The id a request's model names: {@code model} itself, or the default model when absent. */
    public String resolve(String model) {
        String id = model == null || model.isBlank() ? defaultModel : model.strip();
        if (!MODEL_ID.matcher(id).matches() || id.startsWith(".")
                || !Files.isRegularFile(dir.resolve(id).resolve(TextTokenizer.FILE_NAME))) {
            throw new UnknownModelException("unknown model '" + id + "': this gateway has no tokenizer of that name");
        }
        return id;
    }

    /** The tokenizer of model {@code id} (as {@link #resolve resolved}). */
    public TextTokenizer tokenizer(String id) {
        return loaded.computeIfAbsent(resolve(id), model -> TextTokenizer.load(dir.resolve(model)));
    }

    @Override
    public void close() {
        loaded.values().forEach(TextTokenizer::close);
        loaded.clear();
    }
}
