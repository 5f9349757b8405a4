package io.x0tta6bl4.policy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document read into a small tree in which every node knows its line, so that each
 * problem the parser finds can name the line as well as the field. Read from Jackson's streaming
 * parser rather than its {@code JsonNode} tree, which forgets locations and keeps the last of two
 * equal keys: here a repeated key is a problem (a second {@code effect:} silently winning is how
 * a deny turns into an allow), and so is a YAML alias, which a policy has no use for.
 */
final class YamlTree {
    private static final YAMLFactory YAML = YAMLFactory.builder().build();

    private YamlTree() {}

    sealed interface Node permits Mapping, Sequence, Scalar {
        int line();
    }

    /** A key and its value; {@code line} is the key's. */
    record Field(String name, int line, Node value) {}

    record Mapping(int line, Map<String, Field> fields) implements Node {
        Field field(String name) {
            return fields.get(name);
        }
    }

    record Sequence(int line, List<Node> items) implements Node {}

    /** {@code REPORTED}: a value already found wrong while reading; the parser skips it quietly. */
    enum Type { STRING, INTEGER, FLOAT, BOOLEAN, NULL, OTHER, REPORTED }

    record Scalar(int line, Type type, String text) implements Node {
        /** How a problem message shows this value: strings quoted, other scalars as written. */
        String shown() {
            return type == Type.STRING ? "\"" + text + "\"" : text;
        }

        /** What kind of value this is, for "must be a string, got a number" messages. */
        String kind() {
            return switch (type) {
                case STRING -> "a string";
                case INTEGER, FLOAT -> "a number";
                case BOOLEAN -> "a boolean (quote it to make it a string)";
                case NULL -> "nothing";
                case OTHER, REPORTED -> "an unsupported value";
            };
        }
    }

    /** Null when the text is not one well-formed YAML document; the reason is added to {@code problems}. */
    static Node read(String text, Problems problems) {
        try (JsonParser p = YAML.createParser(text)) {
            if (p.nextToken() == null) {
                problems.add(1, "", "the document is empty; a policy starts with version: and rules:");
                return null;
            }
            Node root = node(p, "", problems);
            if (p.nextToken() != null) {
                problems.add(p.currentTokenLocation().getLineNr(), "", "a second YAML document starts here; a policy is a single document");
                return null;
            }
            return root;
        } catch (JsonProcessingException e) {
            syntaxError(e, problems);
            return null;
        } catch (IOException e) {
            problems.add(1, "", "cannot read: " + e.getMessage());
            return null;
        }
    }

    /**
     * Reports a YAML syntax error at the line SnakeYAML blames. Its message runs over several
     * lines: an optional context ("while parsing a flow sequence") with the line it started on, the
     * problem ("expected ',' or ']', but got <scalar>") with the line it was found on, each
     * followed by a quoted snippet. Jackson's own location is often the line before, so the
     * problem's line is taken from the message when it has one.
     */
    private static void syntaxError(JsonProcessingException e, Problems problems) {
        String message = e.getOriginalMessage() == null ? "syntax error" : e.getOriginalMessage();
        String context = null;
        String problem = null;
        int contextLine = 0;
        int problemLine = 0;
        for (String l : message.split("\n")) {
            if (l.startsWith(" in '")) {
                int at = l.indexOf(", line ");
                int end = at < 0 ? -1 : l.indexOf(',', at + 7);
                int n = end < 0 ? 0 : Integer.parseInt(l.substring(at + 7, end));
                if (problem == null) {
                    contextLine = n;
                } else {
                    problemLine = n;
                }
            } else if (!l.isBlank() && !Character.isWhitespace(l.charAt(0))) {
                if (problem == null && context == null && l.startsWith("while ")) {
                    context = l.strip();
                } else {
                    problem = problem == null ? l.strip() : problem + " " + l.strip();
                }
            }
        }
        if (problem == null) {
            problem = context == null ? "syntax error" : context;
            problemLine = contextLine;
            context = null;
        }
        if (problemLine == 0) {
            problemLine = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getLineNr());
        }
        String where = context == null ? "" : " (" + context + (contextLine > 0 ? " started on line " + contextLine : "") + ")";
        problems.add(problemLine, "", "not valid YAML: " + problem + where);
    }

    private static Node node(JsonParser p, String path, Problems problems) throws IOException {
        int line = p.currentTokenLocation().getLineNr();
        if (p instanceof YAMLParser y && y.isCurrentAlias()) {
            problems.add(line, path, "YAML aliases (*" + p.getText() + ") are not allowed in a policy; write the value out");
            return new Scalar(line, Type.REPORTED, p.getText());
        }
        JsonToken t = p.currentToken();
        return switch (t) {
            case START_OBJECT -> mapping(p, path, line, problems);
            case START_ARRAY -> sequence(p, path, line, problems);
            case VALUE_STRING -> new Scalar(line, Type.STRING, p.getText());
            case VALUE_NUMBER_INT -> new Scalar(line, Type.INTEGER, p.getText());
            case VALUE_NUMBER_FLOAT -> new Scalar(line, Type.FLOAT, p.getText());
            case VALUE_TRUE, VALUE_FALSE -> new Scalar(line, Type.BOOLEAN, p.getText());
            case VALUE_NULL -> new Scalar(line, Type.NULL, p.getText());
            default -> new Scalar(line, Type.OTHER, String.valueOf(p.getText()));
        };
    }

    private static Mapping mapping(JsonParser p, String path, int line, Problems problems) throws IOException {
        Map<String, Field> fields = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            int keyLine = p.currentTokenLocation().getLineNr();
            String child = Problems.join(path, name);
            p.nextToken();
            Node value = node(p, child, problems);
            Field first = fields.get(name);
            if (first != null) {
                problems.add(keyLine, child, "appears twice (first on line " + first.line() + "); write each field once");
            } else {
                fields.put(name, new Field(name, keyLine, value));
            }
        }
        return new Mapping(line, Collections.unmodifiableMap(fields));
    }

    private static Sequence sequence(JsonParser p, String path, int line, Problems problems) throws IOException {
        List<Node> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            items.add(node(p, path + "[" + items.size() + "]", problems));
        }
        return new Sequence(line, List.copyOf(items));
    }
}
