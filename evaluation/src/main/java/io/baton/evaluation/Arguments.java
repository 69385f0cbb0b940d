package io.baton.evaluation;

import io.baton.protocol.problems.BatonException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/** Command-line options of the form {@code --name value}, each at most once, from a known set. */
public final class Arguments {

    private final Map<String, String> values = new LinkedHashMap<>();

    private Arguments() {
    }

    /**
     * A command's {@code main}: parses {@code args} against {@code known} and runs {@code command}
     * with them; a {@link BatonException} is one line on stderr, {@code <name>: <message> (<type>)},
     * and exit status 2 for a bad option or missing data, 1 otherwise.
     */
    public static void run(String name, String[] args, Set<String> known, Consumer<Arguments> command) {
        try {
            command.accept(parse(args, known));
        } catch (BatonException e) {
            System.err.println(name + ": " + e.getMessage() + " (" + e.type() + ")");
            System.exit(e.type().equals("bad-option") || e.type().equals("data-missing") ? 2 : 1);
        }
    }

    /** Parses {@code args}; an unknown option, a repeated one or a missing value is a {@code bad-option}. */
    public static Arguments parse(String[] args, Set<String> known) {
        Arguments parsed = new Arguments();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (!name.startsWith("--") || !known.contains(name.substring(2))) {
                throw bad("unknown option '" + name + "'; the options are --" + String.join(", --", new TreeSet<>(known)));
            }
            if (i + 1 >= args.length) {
                throw bad(name + " needs a value");
            }
            if (parsed.values.put(name.substring(2), args[i + 1]) != null) {
                throw bad(name + " given twice");
            }
        }
        return parsed;
    }

    /** The value of {@code --name}, or {@code fallback}. */
    public String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** The positive number given as {@code --name}, or {@code fallback}. */
    public int positive(String name, int fallback) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad("--" + name + " needs a positive whole number, got '" + value + "'");
    }

    /** Whether {@code --name} was given. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    private static EvaluationException bad(String message) {
        return new EvaluationException("bad-option", message);
    }
}
