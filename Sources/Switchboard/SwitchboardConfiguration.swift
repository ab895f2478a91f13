import Configuration
import HubKernel
import SystemPackage

/// Where settings come from, highest precedence first: command-line flags, environment
/// variables, the JSON config file (`--config FILE` or `CONFIG_FILE`), then defaults.
struct SwitchboardConfiguration {
    let reader: ConfigReader
    let settings: HubSettings

    /// Flags every command accepts.
    struct Overrides {
        var host: String?
        var port: Int?
        var configFile: String?
    }

    static func load(_ overrides: Overrides) async throws -> SwitchboardConfiguration {
        var cli: [AbsoluteConfigKey: ConfigValue] = [:]
        if let host = overrides.host { cli["http.host"] = .init(.string(host), isSecret: false) }
        if let port = overrides.port { cli["http.port"] = .init(.int(port), isSecret: false) }
        let environment = EnvironmentVariablesProvider()
        var providers: [any ConfigProvider] = [InMemoryProvider(name: "command line", values: cli), environment]
        let envReader = ConfigReader(provider: environment)
        if let file = overrides.configFile ?? envReader.string(forKey: "config.file") {
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
            } catch {
                throw ConfigurationError("cannot read config file '\(file)': \(error)")
            }
        }
        let reader = ConfigReader(providers: providers)
        return SwitchboardConfiguration(reader: reader, settings: try HubSettings(config: reader))
    }
}
