package io.inception4j.config;

/**
 * A mistake in user input (a config file, a {@code --set} override, a command-line value).
 * The message is complete and meant for the user as is: it names where the mistake is and what was
 * expected. The CLI prints it without a stack trace and exits with code 2.
 */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
