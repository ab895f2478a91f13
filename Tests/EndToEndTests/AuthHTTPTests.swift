import Testing
import HubKernel
import HubTesting
@testable import Switchboard

@Suite("Accounts over HTTP")
struct AuthHTTPTests {
    @Test("register, login, refresh, logout, guest") func flow() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let http = HTTP(baseURL: hub.baseURL!)
            let registered = try await http.post("/auth/register", ["username": "zoe", "password": "password123", "displayName": "Zoë"])
            #expect(registered.status == 200)
            for key in ["accessToken", "refreshToken", "expiresIn", "user"] { #expect(registered.body.has(key)) }
            #expect(registered.body["user"]["displayName"] == "Zoë")
            let login = try await http.post("/auth/login", ["username": "zoe", "password": "password123"])
            #expect(login.status == 200)
            #expect(Set(login.body.object!.keys) == Set(registered.body.object!.keys))
            let refreshed = try await http.post("/auth/refresh", ["refreshToken": login.body["refreshToken"]])
            #expect(refreshed.status == 200)
            #expect(try await http.post("/auth/refresh", ["refreshToken": login.body["refreshToken"]]).status == 401)
            #expect(try await http.post("/auth/logout", ["refreshToken": registered.body["refreshToken"]]).status == 200)
            #expect(try await http.post("/auth/refresh", ["refreshToken": registered.body["refreshToken"]]).status == 401)
            let guest = try await http.post("/auth/guest", ["displayName": "Visitor"])
            #expect(guest.body["user"]["role"] == "guest")
            let socket = try await hub.connect(accessToken: guest.body["accessToken"].string!)
            #expect(socket.welcome.data["user"]["role"] == "guest")
        }
    }

    @Test("bad bodies get the protocol's error object") func badBodies() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let http = HTTP(baseURL: hub.baseURL!)
            let notJSON = try await http.request("POST", "/auth/login", headers: ["Content-Type": "application/json"])
            #expect(notJSON.status == 400)
            #expect(notJSON.body["error"]["code"] == "bad_request")
            let missing = try await http.post("/auth/register", ["username": "yan"])
            #expect(missing.status == 400)
            #expect(missing.body["error"]["field"] == "password")
            let wrong = try await http.post("/auth/login", ["username": "nobody", "password": "password123"])
            #expect(wrong.status == 401)
            _ = try await http.post("/auth/register", ["username": "taken", "password": "password123"])
            #expect(try await http.post("/auth/register", ["username": "taken", "password": "password123"]).status == 409)
            #expect(try await http.get("/no/such/route").body["error"]["code"] == "not_found")
        }
    }

    @Test("logins are rate limited per IP with Retry-After") func loginLimit() async throws {
        try await TestHub.run(modules: Catalog.modules, .live, environment: ["RATE_LIMIT_AUTH_LOGIN": "2/60s"]) { hub in
            let http = HTTP(baseURL: hub.baseURL!)
            for _ in 0..<2 { #expect(try await http.post("/auth/login", ["username": "x", "password": "password123"]).status == 401) }
            let limited = try await http.post("/auth/login", ["username": "x", "password": "password123"])
            #expect(limited.status == 429)
            #expect(limited.body["error"]["code"] == "rate_limited")
            #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 >= 1)
        }
    }
}

@Suite("HTTP limits")
struct HTTPLimitTests {
    @Test("a body above HTTP_MAX_BODY_BYTES is payload_too_large (413)") func bodyLimit() async throws {
        try await TestHub.run(modules: Catalog.modules, .live, environment: ["HTTP_MAX_BODY_BYTES": "200"]) { hub in
            let http = HTTP(baseURL: hub.baseURL!)
            let big = try await http.post("/auth/guest", ["displayName": .string(String(repeating: "x", count: 500))])
            #expect(big.status == 413)
            #expect(big.body["error"]["code"] == "payload_too_large")
            #expect(try await http.post("/auth/guest", ["displayName": "fits"]).status == 200)
        }
    }
}
