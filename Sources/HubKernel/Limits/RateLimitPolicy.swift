/// Operators' rate-limit overrides (`RATE_LIMIT_<MODULE>_<ACTION>`, `modules.<name>.rateLimits.<action>`)
/// applied to declared limits: the one rule for socket commands and HTTP routes, resolved once
/// at start-up so a malformed override stops the server instead of being ignored at the first
/// request.
struct RateLimitPolicy {
    /// Override specs by key (`chat.send`, `auth.login`): `COUNT/PERIOD[:BURST]` or `off`.
    let overrides: [String: String]

    /// The limit for `key`: the override when one is set, else `declared`.
    /// - Throws: ``ConfigurationError`` naming the key when the override does not parse.
    func resolve(_ key: String, declared: RateLimit) throws(ConfigurationError) -> RateLimit {
        guard let spec = overrides[key] else { return declared }
        guard let parsed = RateLimit.parse(spec, scope: declared.scope) else {
            throw ConfigurationError("rate limit for \(key) ('\(spec)') must be COUNT/PERIOD[:BURST] (e.g. 10/60s:5) or off")
        }
        return parsed
    }
}
