/**
 * The command line: one picocli class per subcommand. Commands parse, call one service, and map the
 * outcome to an exit code ({@link io.inception4j.cli.ExitCodes}); nothing else imports this package.
 */
package io.inception4j.cli;
