import ArgumentParser
import HubKernel
import Logging

/// `switchboard user create|set-role`: staff accounts are made by operators, never over the API.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage accounts.", subcommands: [Create.self, SetRole.self])

    /// `switchboard user create USERNAME --role ROLE [--display-name NAME]`; the password is
    /// read from standard input (one line).
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account; reads the password from standard input.")
        @OptionGroup var options: CommonOptions
        @Argument var username: String
        @Option var role: String = "user"
        @Option var displayName: String?

        func run() async throws {
            var logger = LogSetup.bootstrap()
            logger.logLevel = .warning
            guard let role = Role(rawValue: role), role != .guest else {
                throw fail(HubError.validation("role", "role must be user, agent, host or admin"))
            }
            guard let password = readLine(strippingNewline: true) else {
                throw fail(HubError.validation("password", "write the password on standard input"))
            }
            try await withHub(options: options, logger: logger) { [username, displayName] hub in
                try await hub.prepare(migrate: true)
                do {
                    let user = try await hub.accounts.createUser(username: username, password: password, displayName: displayName, role: role)
                    print("created \(user.username ?? username) (\(user.role.rawValue)) id \(user.id)")
                } catch let error as HubError {
                    throw fail(error)
                }
            }
        }
    }

    /// `switchboard user set-role USERNAME ROLE`.
    struct SetRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-role", abstract: "Change an account's role.")
        @OptionGroup var options: CommonOptions
        @Argument var username: String
        @Argument var role: String

        func run() async throws {
            var logger = LogSetup.bootstrap()
            logger.logLevel = .warning
            guard let role = Role(rawValue: role) else {
                throw fail(HubError.validation("role", "role must be user, agent, host or admin"))
            }
            try await withHub(options: options, logger: logger) { [username] hub in
                try await hub.prepare(migrate: true)
                do {
                    let user = try await hub.accounts.setRole(username: username, role: role)
                    print("\(user.username ?? username) is now \(user.role.rawValue)")
                } catch let error as HubError {
                    throw fail(error)
                }
            }
        }
    }
}
