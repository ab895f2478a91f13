import Foundation
import HubTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A tiny HTTP client for end-to-end tests.
struct HTTP {
    let baseURL: String

    struct Response {
        var status: Int
        var headers: [String: String]
        var body: JSON
        var text: String
    }

    func request(_ method: String, _ path: String, json: JSON? = nil, headers: [String: String] = [:]) async throws -> Response {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        if let json {
            request.httpBody = Data(json.text.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.timeoutInterval = 20
        // a session per request: no pooled connection outlives the test server it points at
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields[String(describing: key).lowercased()] = String(describing: value) }
        let text = String(decoding: data, as: UTF8.self)
        return Response(status: http.statusCode, headers: fields, body: JSON.parse(text) ?? .null, text: text)
    }

    func post(_ path: String, _ json: JSON, token: String? = nil) async throws -> Response {
        try await request("POST", path, json: json, headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
    }
    func get(_ path: String, token: String? = nil, headers: [String: String] = [:]) async throws -> Response {
        try await request("GET", path, headers: headers.merging(token.map { ["Authorization": "Bearer \($0)"] } ?? [:]) { $1 })
    }
    func put(_ path: String, _ json: JSON, token: String? = nil) async throws -> Response {
        try await request("PUT", path, json: json, headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
    }
}
