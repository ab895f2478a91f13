import Configuration
import Testing
@testable import HubKernel

@Suite("Settings")
struct HubSettingsTests {
    func settings(_ env: [String: String]) throws -> HubSettings {
        try HubSettings(config: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: env)))
    }

    @Test("defaults match protocol.md") func defaults() throws {
        let s = try settings([:])
        #expect(s.host == "127.0.0.1")
        #expect(s.port == 8080)
        #expect(s.databaseURL == .sqliteFile(path: "./switchboard.sqlite"))
        #expect(s.accessTokenTTLSeconds == 900)
        #expect(s.maxFrameBytes == 65_536)
        #expect(s.idleTimeoutMs == 60_000)
        #expect(s.maxConsecutiveBadFrames == 20)
        #expect(s.allowedOrigins == ["*"])
        #expect(s.enabledModules == nil)
        #expect(s.problems().isEmpty)
    }

    @Test("HUB_CLUSTER: auto is cluster mode on PostgreSQL only, on with SQLite and unknown values stop start-up") func cluster() throws {
        let pg = "postgres://u@127.0.0.1:5432/db"
        #expect(try settings([:]).isClustered == false)
        #expect(try settings(["DATABASE_URL": pg]).isClustered)
        #expect(try settings(["DATABASE_URL": pg, "HUB_CLUSTER": "off"]).isClustered == false)
        #expect(try settings(["DATABASE_URL": pg, "HUB_CLUSTER": "on"]).problems().isEmpty)
        #expect(try settings(["HUB_CLUSTER": "on"]).problems().first?.hasPrefix("HUB_CLUSTER=on needs PostgreSQL") == true)
        #expect(try settings(["HUB_CLUSTER": "maybe"]).problems() == ["HUB_CLUSTER must be auto, on or off (it is 'maybe')"])
    }

    @Test("HUB_NODE_NAME: 1–64 of letters, digits, . - _ :, else start-up stops; default host:port; HUB_NODE is an alias") func nodeName() throws {
        #expect(try settings(["HUB_NODE_NAME": "hub-1.eu:8080"]).problems().isEmpty)
        #expect(try settings(["HUB_NODE_NAME": "hub-1"]).resolvedNodeName == "hub-1")
        #expect(try settings(["HUB_NODE": "old-name"]).resolvedNodeName == "old-name")
        #expect(try settings(["HTTP_PORT": "9001"]).resolvedNodeName.hasSuffix(":9001"))
        for bad in ["bad name", "a\nb", String(repeating: "x", count: 65), "é"] {
            #expect(try settings(["HUB_NODE_NAME": bad]).problems().first?.hasPrefix("HUB_NODE_NAME must be") == true, "\(bad)")
        }
    }

    @Test("SQLite's synchronous level is full unless set to normal; anything else stops start-up") func sqliteSynchronous() throws {
        #expect(try settings([:]).sqliteSynchronous == "full")
        let normal = try settings(["DATABASE_SQLITE_SYNCHRONOUS": "NORMAL"])
        #expect(normal.sqliteSynchronous == "normal")
        #expect(normal.problems().isEmpty)
        #expect(try settings(["DATABASE_SQLITE_SYNCHRONOUS": "off"]).problems() == ["DATABASE_SQLITE_SYNCHRONOUS must be full or normal"])
    }

    @Test("the idle timeout must leave room for a ping and its answer") func liveness() throws {
        #expect(try settings(["HUB_HEARTBEAT_MS": "1000", "HUB_IDLE_TIMEOUT_MS": "1000"]).problems()
                == ["HUB_IDLE_TIMEOUT_MS (1000) must be greater than HUB_HEARTBEAT_MS (1000)"])
        #expect(try settings(["HUB_HEARTBEAT_MS": "200", "HUB_IDLE_TIMEOUT_MS": "300"]).problems().isEmpty)
    }

    @Test("environment names map to settings") func environment() throws {
        let s = try settings([
            "HTTP_HOST": "0.0.0.0", "HTTP_PORT": "9000", "DATABASE_URL": "sqlite::memory:", "HUB_MAX_FRAME_BYTES": "1024",
            "HTTP_ALLOWED_ORIGINS": "https://a.example, https://b.example", "MODULES_ENABLED": "chat,poll",
            "AUTH_ACCESS_TOKEN_TTL_SECONDS": "60", "HUB_MAX_CONSECUTIVE_BAD_FRAMES": "3", "HUB_IDLE_TIMEOUT_MS": "5000",
        ])
        #expect(s.host == "0.0.0.0")
        #expect(s.port == 9000)
        #expect(s.databaseURL == .sqliteMemory)
        #expect(s.maxFrameBytes == 1024)
        #expect(s.allowedOrigins == ["https://a.example", "https://b.example"])
        #expect(s.enabledModules == ["chat", "poll"])
        #expect(s.accessTokenTTLSeconds == 60)
        #expect(s.maxConsecutiveBadFrames == 3)
        #expect(s.idleTimeoutMs == 5000)
    }

    @Test("production refuses the dev secret and '*' origins, naming the settings") func production() throws {
        let problems = try settings(["SWITCHBOARD_ENV": "production"]).problems()
        #expect(problems.contains { $0.contains("AUTH_JWT_SECRET") })
        #expect(problems.contains { $0.contains("HTTP_ALLOWED_ORIGINS") })
        let fixed = try settings(["SWITCHBOARD_ENV": "production", "AUTH_JWT_SECRET": Self.randomSecret,
                                  "HTTP_ALLOWED_ORIGINS": "https://app.example"])
        #expect(fixed.problems().isEmpty)
    }

    @Test("the conformance echo is off by default, allowed in development, refused in production") func conformanceEcho() throws {
        #expect(try settings([:]).conformanceEcho == false)
        let development = try settings(["HUB_CONFORMANCE_ECHO": "true"])
        #expect(development.conformanceEcho)
        #expect(development.problems().isEmpty)
        let production = try settings(["SWITCHBOARD_ENV": "production", "AUTH_JWT_SECRET": Self.randomSecret,
                                       "HTTP_ALLOWED_ORIGINS": "https://app.example", "HUB_CONFORMANCE_ECHO": "true"])
        #expect(production.problems().count == 1)
        #expect(production.problems().first?.contains("HUB_CONFORMANCE_ECHO") == true)
    }

    static let randomSecret = "q8Zr0vXc2LmT9pWb4NyKd7HsUe1GfA6j"

    @Test("production refuses a secret of 32 bytes that is no secret (spaces, one letter, padding)",
          arguments: [String(repeating: " ", count: 32), String(repeating: "s", count: 40), "abcdabcdabcdabcdabcdabcdabcdabcd", "  " + "q8Zr0vXc2LmT9pWb4NyKd7Hs" + "        "])
    func predictableSecret(secret: String) throws {
        let problems = try settings(["SWITCHBOARD_ENV": "production", "AUTH_JWT_SECRET": secret, "HTTP_ALLOWED_ORIGINS": "https://app.example"]).problems()
        #expect(problems.count == 1 && problems[0].contains("too predictable"), "\(problems)")
        #expect(try settings(["AUTH_JWT_SECRET": secret]).problems().isEmpty, "development only asks for 32 bytes")
    }

    @Test("a short JWT secret is refused in every environment") func shortSecret() throws {
        #expect(try settings(["AUTH_JWT_SECRET": "short"]).problems().contains { $0.contains("at least 32 bytes") })
    }

    @Test("database URLs", arguments: [
        ("sqlite:///var/lib/sb.sqlite", DatabaseURL.sqliteFile(path: "/var/lib/sb.sqlite")),
        ("sqlite://relative.sqlite", .sqliteFile(path: "relative.sqlite")),
        ("sqlite::memory:", .sqliteMemory),
        ("postgres://u:p%40ss@db:6543/app", .postgres(host: "db", port: 6543, username: "u", password: "p@ss", database: "app", sslMode: "disable")),
        ("postgresql://u@db/app?sslmode=require", .postgres(host: "db", port: 5432, username: "u", password: nil, database: "app", sslMode: "require")),
    ])
    func urls(text: String, expected: DatabaseURL) throws {
        #expect(try DatabaseURL(parsing: text) == expected)
    }

    @Test("unusable database URLs are refused", arguments: ["mysql://x", "sqlite://", "postgres://host/db", "postgres://u@h/db?sslmode=maybe"])
    func badURLs(_ text: String) {
        #expect(throws: ConfigurationError.self) { try DatabaseURL(parsing: text) }
    }

    @Test("a postgres URL's password is not shown") func redaction() throws {
        #expect(!(try DatabaseURL(parsing: "postgres://u:secret@h/db")).description.contains("secret"))
    }
}
