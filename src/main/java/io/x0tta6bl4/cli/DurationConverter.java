package io.x0tta6bl4.cli;

import io.x0tta6bl4.node.Durations;
import java.time.Duration;
import picocli.CommandLine;

/** Reads durations as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d}, or ISO-8601 ({@code PT5M}). */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return Durations.parse(value).orElseThrow(() ->
                new CommandLine.TypeConversionException("'" + value + "' is not a duration; use e.g. 30s, 5m, 24h or 7d"));
    }
}
