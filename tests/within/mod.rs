//! Running a command from a test without letting it hang the test.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The output of `command`, failing the test (after killing it) instead of hanging when
/// it does not finish within `seconds`.
pub fn output_within(mut command: Command, seconds: u64) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while child.try_wait().ok().flatten().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not finish within {seconds} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("cannot read the output of {command:?}: {e}"))
}
