// `http_get(url)`, written in CoLang so that a learner can read how an HTTP client talks over
// `connect` (docs/reference.md, "Network"). Compiled with the prelude, and defined as a global.

extension VM {
    // The text is CoLang, laid out as CoLang code: the formatter leaves it alone. A raw string:
    // its `\r\n` are CoLang escapes.
    // swift-format-ignore
    static let httpClientSource = #"""
    # http_get(url): one plain-HTTP GET. Returns {status, headers, body}; header names are lower
    # case. It asks the server to close the connection after the answer (Connection: close), so
    # the body is everything up to the end of the stream, or Content-Length characters.
    # Not supported (an error says so): https, chunked bodies. Redirects are returned as they are.
    fn http_get(url) {
      if type(url) != "string" { throw error("http_get's url must be a string, not ${type(url)}") }
      if url.starts_with("https://") { throw error("http_get speaks plain http only, not https (${url})") }
      if not url.starts_with("http://") { throw error("http_get needs a URL that starts with http://, not '${url}'") }
      # http://host:port/path -> "host:port" and "/path"
      let parts = url.slice(7).split("/")
      let authority = parts[0]
      let path = "/" + parts.slice(1).join("/")
      let host = authority
      let port = 80
      if authority.contains(":") {
        let hp = authority.split(":")
        host = hp[0]
        port = int(hp[1])
      }
      let c = connect(host, port)
      c.write("GET ${path} HTTP/1.1\r\nHost: ${authority}\r\nConnection: close\r\nUser-Agent: colang\r\n\r\n")
      # The status line: HTTP/1.1 200 OK
      let status_line = c.read_line()
      if status_line == nil { c.close(); throw error("no answer from ${authority}") }
      let words = status_line.split(" ")
      if len(words) < 2 or not words[0].starts_with("HTTP/") {
        c.close()
        throw error("not an HTTP answer from ${authority}: '${status_line}'")
      }
      let status = int(words[1])
      # Headers, one per line, up to an empty line.
      let headers = {}
      while true {
        let line = c.read_line()
        if line == nil or line == "" { break }
        let name_value = line.split(":")
        let name = name_value[0].trim().lower()
        headers[name] = name_value.slice(1).join(":").trim()
      }
      if headers.has("transfer-encoding") and headers["transfer-encoding"].lower().contains("chunked") {
        c.close()
        throw error("http_get does not support chunked bodies (Transfer-Encoding: chunked from ${authority})")
      }
      # The body: up to the end of the stream, or Content-Length characters.
      let expected = nil
      if headers.has("content-length") { expected = int(headers["content-length"]) }
      let pieces = []
      let got = 0
      while expected == nil or got < expected {
        let piece = c.read()
        if piece == nil { break }
        pieces.push(piece)
        got += len(piece)
      }
      c.close()
      return {status: status, headers: headers, body: pieces.join()}
    }
    """#
}
