//! Just enough HTTP/1.1 for one route: read the request head, answer, close the connection.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A client that sends nothing (or trickles) does not hold a thread for long.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The most a request head may take; a longer one is answered with 431.
const MAX_HEAD: usize = 8 * 1024;

#[derive(Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub reason: &'static str,
    pub body: &'static str,
    pub allow: Option<&'static str>,
}

pub fn handle(mut stream: TcpStream) -> io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let head = match read_head(&mut stream)? {
        Some(head) => head,
        None => return Ok(()), // closed before sending a request
    };
    stream.write_all(&render(&route(&head), head.starts_with(b"HEAD ")))?;
    stream.flush()
}

/// Reads up to the blank line that ends the head; None if the client sent nothing.
fn read_head(stream: &mut TcpStream) -> io::Result<Option<Vec<u8>>> {
    let mut head = Vec::with_capacity(512);
    let mut buffer = [0u8; 1024];
    loop {
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            return Ok(if head.is_empty() { None } else { Some(head) });
        }

        head.extend_from_slice(&buffer[..n]);
        if head.windows(4).any(|w| w == b"\r\n\r\n") || head.windows(2).any(|w| w == b"\n\n") || head.len() > MAX_HEAD {
            return Ok(Some(head));
        }
    }
}

/// The answer to a request head.
pub fn route(head: &[u8]) -> Response {
    if head.len() > MAX_HEAD {
        return Response { status: 431, reason: "Request Header Fields Too Large", body: "request head too large\n", allow: None };
    }

    let text = String::from_utf8_lossy(head);
    let mut parts = text.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = match (parts.next(), parts.next(), parts.next()) {
        (Some(method), Some(target), Some(version)) if version.starts_with("HTTP/1.") => (method, target),
        _ => return Response { status: 400, reason: "Bad Request", body: "bad request\n", allow: None },
    };
    let path = target.split('?').next().unwrap_or(target);

    match (method, path) {
        ("GET", "/text") | ("HEAD", "/text") => Response { status: 200, reason: "OK", body: "hello world", allow: None },
        (_, "/text") => Response { status: 405, reason: "Method Not Allowed", body: "only GET\n", allow: Some("GET, HEAD") },
        _ => Response { status: 404, reason: "Not Found", body: "not found; try GET /text\n", allow: None },
    }
}

/// The response bytes; for a HEAD request without the body.
pub fn render(response: &Response, head_only: bool) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status,
        response.reason,
        response.body.len()
    );
    if let Some(allow) = response.allow {
        out.push_str(&format!("Allow: {}\r\n", allow));
    }

    out.push_str("\r\n");
    if !head_only {
        out.push_str(response.body);
    }

    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_text_says_hello_world() {
        let response = route(b"GET /text HTTP/1.1\r\nHost: device\r\n\r\n");
        assert_eq!((response.status, response.body), (200, "hello world"));
        let bytes = String::from_utf8(render(&response, false)).unwrap();
        assert!(bytes.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(bytes.contains("Content-Length: 11\r\n"));
        assert!(bytes.ends_with("\r\n\r\nhello world"));
    }

    #[test]
    fn other_paths_methods_and_garbage() {
        assert_eq!(route(b"GET /text?x=1 HTTP/1.0\r\n\r\n").status, 200);
        assert_eq!(route(b"GET / HTTP/1.1\r\n\r\n").status, 404);
        assert_eq!(route(b"POST /text HTTP/1.1\r\n\r\n").allow, Some("GET, HEAD"));
        assert_eq!(route(b"hello\r\n\r\n").status, 400);
        assert_eq!(route(&vec![b'a'; MAX_HEAD + 1]).status, 431);
    }

    #[test]
    fn head_has_no_body() {
        let response = route(b"HEAD /text HTTP/1.1\r\n\r\n");
        assert!(String::from_utf8(render(&response, true)).unwrap().ends_with("\r\n\r\n"));
    }
}
