import ArgumentParser
import Logging
import Foundation

/// The `switchboard` command line.
@main
struct SwitchboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "One WebSocket hub for chat, presence, notifications, tickets, betting and more.",
        subcommands: [ServeCommand.self, MigrateCommand.self, RoutesCommand.self, UserCommand.self, BettingCommand.self]
    )
}

/// Options shared by every subcommand.
struct CommonOptions: ParsableArguments {
    @Option(help: "Listen address (HTTP_HOST).") var host: String?
    @Option(help: "Listen port (HTTP_PORT).") var port: Int?
    @Option(name: .customLong("config"), help: "JSON configuration file (CONFIG_FILE).") var configFile: String?

    var overrides: SwitchboardConfiguration.Overrides { .init(host: host, port: port, configFile: configFile) }
}

/// Sets up logging once: level from `LOG_LEVEL` (default `info`), to standard error.
enum LogSetup {
    static func bootstrap() -> Logger {
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "switchboard")
    }
}

/// Prints a start-up problem without a stack trace and exits non-zero.
func fail(_ error: any Error) -> ExitCode {
    FileHandle.standardError.write(Data("switchboard: \(error)\n".utf8))
    return ExitCode(78)
}
