//! One HTTP/1.0 GET on a plain TCP connection: kubelet's httpGet probes and the harness's
//! questions to Prometheus. Hand-written: the harness asks a handful of local URLs from
//! namespace-bound threads, and an HTTP client crate would bring a connection pool and TLS
//! for nothing. HTTP/1.0 makes the server close the connection after its answer.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// `GET path` on `addr`: the status code and the body, or why there is none.
pub fn get(
    addr: SocketAddr,
    path: &str,
    connect: Duration,
    read: Duration,
) -> Result<(u16, String), String> {
    let mut s = TcpStream::connect_timeout(&addr, connect).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(read)).map_err(|e| e.to_string())?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: podsim\r\n\r\n").map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    // A server that keeps the connection open still gave its status line (a probe only needs
    // that); a truncated body fails whoever parses it.
    if let Err(e) = s.read_to_end(&mut buf) {
        if buf.is_empty() {
            return Err(e.to_string());
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no HTTP header")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("no status in {head:?}"))?;
    Ok((status, body.to_string()))
}
