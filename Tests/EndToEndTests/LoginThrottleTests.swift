import Testing
import HubKernel
import HubTesting
import HTTPTypes
@testable import Switchboard

/// Password guessing spread over many addresses is limited per account; the owner's known
/// address still signs in; nothing locks forever; `X-Forwarded-For` counts only from a
/// trusted proxy (#17 item 7).
@Suite("Login throttling")
struct LoginThrottleTests {
    static func login(_ http: HTTP, _ password: String, from address: String) async throws -> HTTP.Response {
        try await http.request("POST", "/auth/login", json: ["username": "victim", "password": .string(password)], headers: ["X-Forwarded-For": address])
    }

    @Test("guesses at one account from ten addresses hit the account's limit; its owner's address still signs in; it refills")
    func perAccount() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: Catalog.modules, .live,
                              environment: ["RATE_LIMIT_AUTH_LOGIN": "off", "RATE_LIMIT_AUTH_LOGIN_ACCOUNT": "3/60s", "HTTP_TRUSTED_PROXIES": "127.0.0.1"],
                              clock: clock) { hub in
            let http = HTTP(baseURL: hub.baseURL!)
            _ = try await http.post("/auth/register", ["username": "victim", "password": "correct-horse"])
            #expect(try await Self.login(http, "correct-horse", from: "198.51.100.7").status == 200, "the owner signs in from home")
            var statuses: [Int] = []
            for n in 1...10 { statuses.append(try await Self.login(http, "guess-\(n)", from: "203.0.113.\(n)").status) }
            #expect(statuses.prefix(2) == [401, 401] && statuses.dropFirst(2).allSatisfy { $0 == 429 }, "\(statuses)")
            let blocked = try await Self.login(http, "correct-horse", from: "203.0.113.99")
            #expect(blocked.status == 429 && blocked.body["error"]["code"] == "rate_limited" && (blocked.body["error"]["retryAfterMs"].int ?? 0) > 0,
                    "a new address is refused even with the right password: the guesser cannot tell")
            #expect(try await Self.login(http, "correct-horse", from: "198.51.100.7").status == 200, "the owner's known address is not locked out")
            clock.advance(by: .seconds(21))
            #expect(try await Self.login(http, "correct-horse", from: "203.0.113.99").status == 200, "the account's bucket refills by itself")
            let other = try await http.post("/auth/register", ["username": "bystander", "password": "password123"])
            let otherLogin = try await http.post("/auth/login", ["username": "bystander", "password": "password123"])
            #expect(other.status == 200 && otherLogin.status == 200, "other accounts are not affected")
        }
    }

    @Test("per-address limits use X-Forwarded-For from a trusted proxy only") func forwardedFor() async throws {
        try await TestHub.run(modules: Catalog.modules, .live, environment: ["RATE_LIMIT_AUTH_LOGIN": "2/60s", "RATE_LIMIT_AUTH_LOGIN_ACCOUNT": "off",
                                                                             "HTTP_TRUSTED_PROXIES": "127.0.0.1"]) { hub async throws in
            let http = HTTP(baseURL: hub.baseURL!)
            for _ in 0..<2 { #expect(try await Self.login(http, "x", from: "192.0.2.1").status == 401) }
            #expect(try await Self.login(http, "x", from: "192.0.2.1").status == 429, "the forwarded client is limited")
            #expect(try await Self.login(http, "x", from: "192.0.2.2").status == 401, "another client behind the proxy is not")
        }
        try await TestHub.run(modules: Catalog.modules, .live, environment: ["RATE_LIMIT_AUTH_LOGIN": "2/60s", "RATE_LIMIT_AUTH_LOGIN_ACCOUNT": "off"]) { hub async throws in
            let http = HTTP(baseURL: hub.baseURL!)
            for n in 0..<2 { #expect(try await Self.login(http, "x", from: "192.0.2.\(n)").status == 401) }
            #expect(try await Self.login(http, "x", from: "192.0.2.9").status == 429, "without a trusted proxy a forged header changes nothing")
        }
    }

    @Test("the client address: the peer, or from a trusted proxy the right-most untrusted X-Forwarded-For hop", arguments: [
        ("10.0.0.5", "1.2.3.4", [], "10.0.0.5"),
        ("10.0.0.5", "1.2.3.4", ["10.0.0.5"], "1.2.3.4"),
        ("10.0.0.5", "6.6.6.6, 1.2.3.4, 10.0.0.6", ["10.0.0.5", "10.0.0.6"], "1.2.3.4"),
        ("10.0.0.5", "", ["10.0.0.5"], "10.0.0.5"),
        ("10.0.0.5", "10.0.0.6", ["10.0.0.5", "10.0.0.6"], "10.0.0.5"),
    ] as [(String, String, [String], String)])
    func resolve(peer: String, forwarded: String, trusted: [String], expected: String) {
        var headers = HTTPFields()
        if !forwarded.isEmpty { headers[HTTPField.Name("X-Forwarded-For")!] = forwarded }
        #expect(ClientAddress.resolve(peer: peer, headers: headers, trustedProxies: Set(trusted)) == expected)
    }
}
