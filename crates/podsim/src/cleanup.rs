//! Last-resort cleanup when the process is interrupted (SIGINT/SIGTERM): Drop guards do not
//! run then, so every live process group and namespace is recorded here.

use std::sync::Mutex;

static GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());
static NAMESPACES: Mutex<Vec<String>> = Mutex::new(Vec::new());
static DIRS: Mutex<Vec<std::path::PathBuf>> = Mutex::new(Vec::new());

pub fn add_dir(d: &std::path::Path) {
    if let Ok(mut v) = DIRS.lock() {
        v.push(d.to_path_buf());
    }
}

pub fn remove_dir(d: &std::path::Path) {
    if let Ok(mut v) = DIRS.lock() {
        v.retain(|x| x != d);
    }
}

pub fn add_group(pgid: i32) {
    if let Ok(mut g) = GROUPS.lock() {
        g.push(pgid);
    }
}

pub fn remove_group(pgid: i32) {
    if let Ok(mut g) = GROUPS.lock() {
        g.retain(|p| *p != pgid);
    }
}

pub fn add_namespace(ns: &str) {
    if let Ok(mut n) = NAMESPACES.lock() {
        n.push(ns.to_string());
    }
}

pub fn remove_namespace(ns: &str) {
    if let Ok(mut n) = NAMESPACES.lock() {
        n.retain(|x| x != ns);
    }
}

/// Kills the recorded process groups and deletes the recorded namespaces.
pub fn cleanup_all() {
    let groups = GROUPS.lock().map(|g| g.clone()).unwrap_or_default();
    for pgid in groups {
        // SAFETY: kill(2) on a process group this process created.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
    let namespaces = NAMESPACES.lock().map(|n| n.clone()).unwrap_or_default();
    for ns in namespaces {
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &ns])
            .status();
    }
    let dirs = DIRS.lock().map(|d| d.clone()).unwrap_or_default();
    for d in dirs {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// On SIGINT/SIGTERM: clean up, then exit 130. A watcher thread waits for the signal
/// (blocked in every thread spawned after this call) so the cleanup runs in normal context.
pub fn install_signal_handlers() {
    // SAFETY: plain signal-mask calls on a zeroed sigset.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        std::thread::spawn(move || {
            let mut sig: libc::c_int = 0;
            libc::sigwait(&set, &mut sig);
            cleanup_all();
            std::process::exit(130);
        });
    }
}
