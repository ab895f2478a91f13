import NIOCore

/// An account's access and refresh tokens, as `/auth/register`, `/auth/login` and
/// `/auth/refresh` return them.
struct Credentials: Sendable {
    var access: String
    var refresh: String

    init(access: String, refresh: String) {
        self.access = access
        self.refresh = refresh
    }

    /// Reads both tokens from a login body by scanning its bytes; `nil` without an access token
    /// (a guest's body carries a refresh token too).
    init?(_ body: ByteBuffer) {
        func value(_ key: String) -> String? {
            body.withUnsafeReadableBytes { bytes in
                bytes.find(Array("\"\(key)\":\"".utf8)).map { bytes.string(from: $0, upTo: UInt8(ascii: "\"")) }
            }
        }
        guard let access = value("accessToken") else { return nil }
        self.access = access
        refresh = value("refreshToken") ?? ""
    }
}
