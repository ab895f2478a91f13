import Foundation
import JWTKit
import HummingbirdBcrypt
import SQLKit
import Testing
import HubTesting
@testable import HubKernel

@Suite("Accounts and sessions")
struct AccountsTests {
    func withAccounts(clock: TestClock = TestClock(), _ body: @Sendable (Accounts, TestClock) async throws -> Void) async throws {
        try await TestHub.run(modules: [], clock: clock) { testHub in
            try await body(testHub.hub.accounts, clock)
        }
    }

    @Test("register returns the login body and the user can log in") func register() async throws {
        try await withAccounts { accounts, _ in
            let pair = try await accounts.register(username: "Alice", password: "correct horse", displayName: "  Alice A. ")
            #expect(pair.user.username == "alice")
            #expect(pair.user.displayName == "Alice A.")
            #expect(pair.user.role == .user)
            #expect(pair.expiresIn == 900)
            let login = try await accounts.login(username: "ALICE", password: "correct horse")
            #expect(login.user == pair.user)
        }
    }

    @Test("a taken username is a conflict") func taken() async throws {
        try await withAccounts { accounts, _ in
            _ = try await accounts.register(username: "bob", password: "password1", displayName: nil)
            await #expect(throws: HubError.conflict("username 'bob' is taken")) {
                try await accounts.register(username: "BOB", password: "password2", displayName: nil)
            }
        }
    }

    @Test("username, password and display name rules", arguments: [
        ("ab", "password1", "x", "username"), ("a b c", "password1", "x", "username"), ("ok_name", "short", "x", "password"),
        ("ok_name", "password1", "   ", "displayName"), ("ok_name", "password1", "a\u{7}b", "displayName"),
        ("ok_name", "password1", String(repeating: "n", count: 65), "displayName"),
    ])
    func rules(username: String, password: String, displayName: String, field: String) async throws {
        try await withAccounts { accounts, _ in
            do {
                _ = try await accounts.register(username: username, password: password, displayName: displayName)
                Issue.record("expected validation_failed on \(field)")
            } catch let error as HubError {
                #expect(error.code == .validationFailed)
                #expect(error.field == field)
            }
        }
    }

    @Test("every byte of a password counts: a NUL does not end it", arguments: [
        ("\u{0}secret-password-xyz", ["", "\u{0}", "\u{0}anything-else"]),
        ("abcdefgh\u{0}tail", ["abcdefgh", "abcdefgh\u{0}", "abcdefgh\u{0}TAIL"]),
    ])
    func nul(password: String, impostors: [String]) async throws {
        try await withAccounts { accounts, _ in
            _ = try await accounts.register(username: "nul_user", password: password, displayName: nil)
            for impostor in impostors {
                await #expect(throws: HubError.unauthorized("invalid username or password"), "\(impostor.debugDescription) logged in") {
                    try await accounts.login(username: "nul_user", password: impostor)
                }
            }
            #expect(try await accounts.login(username: "nul_user", password: password).user.username == "nul_user")
        }
    }

    @Test("every byte of a password counts: not only bcrypt's first 72") func long() async throws {
        try await withAccounts { accounts, _ in
            let prefix = String(repeating: "A", count: 72)
            _ = try await accounts.register(username: "long_user", password: prefix + "first-suffix", displayName: nil)
            for impostor in [prefix, prefix + "second-suffix"] {
                await #expect(throws: HubError.self) { try await accounts.login(username: "long_user", password: impostor) }
            }
            #expect(try await accounts.login(username: "long_user", password: prefix + "first-suffix").user.username == "long_user")
        }
    }

    @Test("a hash from before the pre-hash still verifies, is replaced at login, and never matches a NUL-cut password") func legacy() async throws {
        try await TestHub.run(modules: []) { testHub in
            let accounts = testHub.hub.accounts
            let user = try await accounts.createUser(username: "old_timer", password: "placeholder-1", displayName: nil, role: .user)
            let legacy = Bcrypt.hash("legacy-password", cost: 4)
            let database = testHub.hub.database
            func stored() async throws -> String? {
                try await database.withConnection {
                    try await $0.raw("SELECT password_hash FROM hub_users WHERE id = \(bind: user.id)").first()?.decode(column: "password_hash", as: String.self)
                }
            }
            try await database.withConnection { try await $0.raw("UPDATE hub_users SET password_hash = \(bind: legacy) WHERE id = \(bind: user.id)").run() }
            // plain bcrypt stops at the NUL; the legacy path refuses such a password outright
            await #expect(throws: HubError.self) { try await accounts.login(username: "old_timer", password: "legacy-password\u{0}x") }
            #expect(try await stored() == legacy)
            _ = try await accounts.login(username: "old_timer", password: "legacy-password")
            let upgraded = try #require(try await stored())
            #expect(upgraded.hasPrefix("sb2$"))
            #expect(try await accounts.login(username: "old_timer", password: "legacy-password").user.id == user.id)
        }
    }

    @Test("a wrong password and an unknown user get the same answer") func wrongPassword() async throws {
        try await withAccounts { accounts, _ in
            _ = try await accounts.register(username: "carol", password: "password1", displayName: nil)
            await #expect(throws: HubError.unauthorized("invalid username or password")) {
                try await accounts.login(username: "carol", password: "password2")
            }
            await #expect(throws: HubError.unauthorized("invalid username or password")) {
                try await accounts.login(username: "nobody", password: "password2")
            }
        }
    }

    @Test("refresh rotates: the new token works, the old one no longer does") func rotation() async throws {
        try await withAccounts { accounts, _ in
            let first = try await accounts.register(username: "dave", password: "password1", displayName: nil)
            let second = try await accounts.refresh(first.refreshToken)
            #expect(second.refreshToken != first.refreshToken)
            #expect(second.user == first.user)
            let third = try await accounts.refresh(second.refreshToken)
            #expect(third.refreshToken != second.refreshToken)
            await #expect(throws: HubError.unauthorized("refresh token was already used; the session is revoked")) {
                try await accounts.refresh(first.refreshToken)
            }
        }
    }

    @Test("the same refresh token presented many times at once rotates exactly once") func concurrentRefresh() async throws {
        try await withAccounts { accounts, _ in
            let pair = try await accounts.register(username: "ivan", password: "password1", displayName: nil)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        do { _ = try await accounts.refresh(pair.refreshToken); return true } catch is HubError { return false }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1, "\(outcomes.filter { $0 }.count) of 12 concurrent refreshes succeeded")
        }
    }

    @Test("reusing a rotated refresh token revokes the whole session") func reuse() async throws {
        try await withAccounts { accounts, _ in
            let first = try await accounts.register(username: "erin", password: "password1", displayName: nil)
            let second = try await accounts.refresh(first.refreshToken)
            await #expect(throws: HubError.self) { try await accounts.refresh(first.refreshToken) }
            // the thief's replay also ends the legitimate holder's session
            await #expect(throws: HubError.self) { try await accounts.refresh(second.refreshToken) }
        }
    }

    @Test("logout revokes the refresh token; other sessions stay") func logout() async throws {
        try await withAccounts { accounts, _ in
            let phone = try await accounts.register(username: "frank", password: "password1", displayName: nil)
            let laptop = try await accounts.login(username: "frank", password: "password1")
            try await accounts.logout(phone.refreshToken)
            await #expect(throws: HubError.self) { try await accounts.refresh(phone.refreshToken) }
            _ = try await accounts.refresh(laptop.refreshToken)
        }
    }

    @Test("refresh tokens expire") func refreshExpiry() async throws {
        try await withAccounts { accounts, clock in
            let pair = try await accounts.guest(displayName: "Gus")
            clock.advance(by: .seconds(86_401))
            await #expect(throws: HubError.self) { try await accounts.refresh(pair.refreshToken) }
        }
    }

    @Test("a refresh picks up a role change") func roleChange() async throws {
        try await withAccounts { accounts, _ in
            let pair = try await accounts.register(username: "hana", password: "password1", displayName: nil)
            _ = try await accounts.setRole(username: "hana", role: .agent)
            #expect(try await accounts.refresh(pair.refreshToken).user.role == .agent)
            await #expect(throws: HubError.notFound("no user 'ghost'")) { try await accounts.setRole(username: "ghost", role: .agent) }
        }
    }

    @Test("guests have no username and the guest role") func guest() async throws {
        try await withAccounts { accounts, _ in
            let pair = try await accounts.guest(displayName: "Player 1")
            #expect(pair.user.role == .guest)
            #expect(pair.user.username == nil)
        }
    }
}

@Suite("Access tokens")
struct TokenServiceTests {
    @Test("a token verifies until it expires") func expiry() async throws {
        let clock = TestClock()
        let tokens = await TokenService(secret: String(repeating: "k", count: 32), accessTokenTTLSeconds: 60, clock: clock)
        let identity = Identity(userID: "u1", displayName: "U", role: .host)
        let (token, expiresAt) = try await tokens.issue(for: identity)
        #expect(expiresAt == clock.nowMs() + 60_000)
        #expect(try await tokens.verify(token).identity == identity)
        clock.advance(by: .seconds(61))
        await #expect(throws: HubError.unauthorized("access token expired")) { try await tokens.verify(token) }
    }

    @Test("a token signed with another key is refused") func forged() async throws {
        let clock = TestClock()
        let ours = await TokenService(secret: String(repeating: "a", count: 32), accessTokenTTLSeconds: 60, clock: clock)
        let theirs = await TokenService(secret: String(repeating: "b", count: 32), accessTokenTTLSeconds: 60, clock: clock)
        let (token, _) = try await theirs.issue(for: Identity(userID: "u", displayName: "u", role: .admin))
        await #expect(throws: HubError.unauthorized("invalid access token")) { try await ours.verify(token) }
        await #expect(throws: HubError.unauthorized("invalid access token")) { try await ours.verify("not.a.jwt") }
    }

    @Test("a correctly signed token whose typ is not access is refused", arguments: ["refresh", "Access", ""])
    func wrongType(typ: String) async throws {
        let clock = TestClock()
        let secret = String(repeating: "k", count: 32)
        let tokens = await TokenService(secret: secret, accessTokenTTLSeconds: 60, clock: clock)
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        func sign(_ typ: String) async throws -> String {
            let now = Date(timeIntervalSince1970: Double(clock.nowMs()) / 1000)
            // our own claims type, with a typ of the test's choosing
            return try await keys.sign(TokenService.AccessClaims(sub: .init(value: "u1"), name: "U", role: .admin, iat: .init(value: now),
                                                                 exp: .init(value: now.addingTimeInterval(60)), nbf: nil, typ: typ))
        }
        // the same forge with typ "access" passes: the refusal is the typ, nothing else
        #expect(try await tokens.verify(try await sign("access")).identity.role == .admin)
        await #expect(throws: HubError.unauthorized("invalid access token")) { try await tokens.verify(try await sign(typ)) }
    }

    /// A token-shaped string with `header` (base64url), an empty payload and a dummy signature.
    static func token(header: String) -> String {
        let encoded = Data(header.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return encoded + ".e30.c2ln"
    }

    @Test("only the header the hub issues is accepted: alg HS256, nothing else", arguments: [
        #"{"alg":"none","typ":"JWT"}"#, #"{"alg":"HS512","typ":"JWT"}"#, #"{"alg":"hs256","typ":"JWT"}"#, #"{"typ":"JWT"}"#,
        #"{"alg":"HS256","typ":"JWT","kid":"other"}"#, #"{"alg":"HS256","typ":"JWT","crit":["exp"]}"#, #"{"alg":"HS256","typ":"JWS"}"#, "not json", "[]",
    ])
    func header(header: String) async throws {
        #expect(TokenService.hasIssuedHeader(Self.token(header: #"{"alg":"HS256","typ":"JWT"}"#)))
        #expect(TokenService.hasIssuedHeader(Self.token(header: #"{"typ":"JWT","alg":"HS256"}"#)))
        #expect(!TokenService.hasIssuedHeader(Self.token(header: header)))
        // and what the hub issues has that header
        let tokens = await TokenService(secret: String(repeating: "k", count: 32), accessTokenTTLSeconds: 60, clock: TestClock())
        #expect(TokenService.hasIssuedHeader(try await tokens.issue(for: Identity(userID: "u1", displayName: "U", role: .user)).token))
    }

    @Test("a token signed with HS512 under the same secret is refused") func otherAlgorithm() async throws {
        let clock = TestClock()
        let secret = String(repeating: "k", count: 64)  // JWTKit wants an HS512 key as long as its hash
        let tokens = await TokenService(secret: secret, accessTokenTTLSeconds: 60, clock: clock)
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha512)
        let now = Date(timeIntervalSince1970: Double(clock.nowMs()) / 1000)
        let token = try await keys.sign(TokenService.AccessClaims(sub: .init(value: "u1"), name: "U", role: .admin, iat: .init(value: now),
                                                                  exp: .init(value: now.addingTimeInterval(60)), nbf: nil, typ: "access"))
        await #expect(throws: HubError.unauthorized("invalid access token")) { try await tokens.verify(token) }
    }

    @Test("a token is refused before its nbf and accepted after") func notBefore() async throws {
        let clock = TestClock()
        let secret = String(repeating: "k", count: 32)
        let tokens = await TokenService(secret: secret, accessTokenTTLSeconds: 60, clock: clock)
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        let now = Date(timeIntervalSince1970: Double(clock.nowMs()) / 1000)
        let token = try await keys.sign(TokenService.AccessClaims(sub: .init(value: "u1"), name: "U", role: .user, iat: .init(value: now),
                                                                  exp: .init(value: now.addingTimeInterval(120)), nbf: .init(value: now.addingTimeInterval(30)),
                                                                  typ: "access"))
        await #expect(throws: HubError.unauthorized("access token not valid yet")) { try await tokens.verify(token) }
        clock.advance(by: .seconds(31))
        #expect(try await tokens.verify(token).identity.userID == "u1")
    }
}

@Suite("Roles")
struct RoleTests {
    @Test("who satisfies what") func matrix() {
        #expect(Role.guest.satisfies(.guest))
        #expect(!Role.guest.satisfies(.user))
        #expect(Role.user.satisfies(.guest) && Role.user.satisfies(.user))
        #expect(!Role.user.satisfies(.agent))
        #expect(Role.agent.satisfies(.user) && !Role.agent.satisfies(.host))
        #expect(Role.host.satisfies(.user) && !Role.host.satisfies(.agent))
        #expect(Role.allCases.allSatisfy { Role.admin.satisfies($0) })
        #expect(!Role.agent.satisfies(.admin))
    }
}
