//! Minimal RESP2 client: enough for PING, AUTH, SET, INFO, ROLE and SENTINEL queries.

use crate::error::{Error, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

impl Reply {
    /// Text of a status or bulk reply.
    pub fn text(&self) -> Option<String> {
        match self {
            Reply::Status(s) => Some(s.clone()),
            Reply::Bulk(Some(b)) => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        }
    }

    /// A flat array of strings as key → value pairs (CONFIG GET, SENTINEL MASTER).
    pub fn pairs(&self) -> Vec<(String, String)> {
        let Reply::Array(Some(items)) = self else {
            return Vec::new();
        };
        items
            .chunks(2)
            .filter_map(|c| match c {
                [k, v] => Some((k.text()?, v.text()?)),
                _ => None,
            })
            .collect()
    }
}

pub struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    pub fn connect(addr: SocketAddr, timeout: Duration) -> Result<Conn> {
        let s = TcpStream::connect_timeout(&addr, timeout)
            .map_err(|e| Error::Resp(format!("connect {addr}: {e}")))?;
        s.set_read_timeout(Some(timeout))
            .and_then(|_| s.set_write_timeout(Some(timeout)))
            .and_then(|_| s.set_nodelay(true))
            .map_err(|e| Error::Resp(e.to_string()))?;
        Ok(Conn {
            reader: BufReader::new(s),
        })
    }

    /// Connects and authenticates when a password is given.
    pub fn open(addr: SocketAddr, password: Option<&str>, timeout: Duration) -> Result<Conn> {
        let mut c = Conn::connect(addr, timeout)?;
        if let Some(pw) = password {
            match c.cmd(&["AUTH", pw])? {
                Reply::Status(_) => {}
                other => return Err(Error::Resp(format!("AUTH at {addr}: {other:?}"))),
            }
        }
        Ok(c)
    }

    pub fn cmd(&mut self, args: &[&str]) -> Result<Reply> {
        let mut buf = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            buf.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            buf.extend_from_slice(a.as_bytes());
            buf.extend_from_slice(b"\r\n");
        }
        self.reader
            .get_mut()
            .write_all(&buf)
            .map_err(|e| Error::Resp(format!("write: {e}")))?;
        self.read_reply()
    }

    fn line(&mut self) -> Result<String> {
        let mut l = String::new();
        let n = self
            .reader
            .read_line(&mut l)
            .map_err(|e| Error::Resp(format!("read: {e}")))?;
        if n == 0 {
            return Err(Error::Resp("connection closed".into()));
        }
        Ok(l.trim_end_matches(['\r', '\n']).to_string())
    }

    fn read_reply(&mut self) -> Result<Reply> {
        let l = self.line()?;
        let (kind, rest) = l.split_at(l.len().min(1));
        let num = || -> Result<i64> {
            rest.parse::<i64>()
                .map_err(|_| Error::Resp(format!("bad length in {l:?}")))
        };
        match kind {
            "+" => Ok(Reply::Status(rest.to_string())),
            "-" => Ok(Reply::Error(rest.to_string())),
            ":" => Ok(Reply::Int(num()?)),
            "$" => {
                let n = num()?;
                if n < 0 {
                    return Ok(Reply::Bulk(None));
                }
                let mut b = vec![0u8; n as usize + 2];
                self.reader
                    .read_exact(&mut b)
                    .map_err(|e| Error::Resp(format!("read: {e}")))?;
                b.truncate(n as usize);
                Ok(Reply::Bulk(Some(b)))
            }
            "*" => {
                let n = num()?;
                if n < 0 {
                    return Ok(Reply::Array(None));
                }
                let mut v = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    v.push(self.read_reply()?);
                }
                Ok(Reply::Array(Some(v)))
            }
            _ => Err(Error::Resp(format!("unexpected reply line {l:?}"))),
        }
    }
}

/// One command on a fresh connection (with AUTH first when a password is given).
pub fn once(
    addr: SocketAddr,
    password: Option<&str>,
    args: &[&str],
    timeout: Duration,
) -> Result<Reply> {
    Conn::open(addr, password, timeout)?.cmd(args)
}

/// `field:value` lookup in an INFO section text.
pub fn info_field(info: &str, field: &str) -> Option<String> {
    info.lines().find_map(|l| {
        l.strip_prefix(field)
            .and_then(|r| r.strip_prefix(':'))
            .map(|v| v.trim().to_string())
    })
}
