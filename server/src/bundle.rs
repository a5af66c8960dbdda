//! The site inside the binary, so a deployment is one file plus a database URL.
//!
//! `lookout bundle-site` appends the files of `<site root>/pkg` (WebAssembly,
//! JavaScript, CSS) to a copy of the executable; at start, when no site folder
//! is found, the server reads them back from its own executable. Executables
//! run unchanged with data after their end. Layout of what is appended: for each
//! file, its name's length (u32 LE), the name, its length (u64 LE) and its bytes;
//! then the length of all that (u64 LE) and `MAGIC`.

use anyhow::{bail, Context, Result};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

const MAGIC: &[u8; 16] = b"LOOKOUT-SITE-V1\0";
const TRAILER: u64 = 8 + MAGIC.len() as u64;

/// Bundled files: (name, bytes).
pub type Files = Vec<(String, Vec<u8>)>;

/// The bundled files of an executable. None when it carries none.
pub fn read(exe: &Path) -> Result<Option<Files>> {
    let mut file = std::fs::File::open(exe).with_context(|| format!("cannot open {}", exe.display()))?;
    let Some(start) = payload_start(&mut file)? else {
        return Ok(None);
    };
    let end = file.metadata()?.len() - TRAILER;
    file.seek(SeekFrom::Start(start))?;
    let mut payload = vec![0; usize::try_from(end - start)?];
    file.read_exact(&mut payload)?;
    let mut files = vec![];
    let mut rest = payload.as_slice();
    while !rest.is_empty() {
        let name_len = take_u32(&mut rest)? as usize;
        let name = String::from_utf8(take(&mut rest, name_len)?.to_vec()).context("a bundled name is not UTF-8")?;
        let len = usize::try_from(take_u64(&mut rest)?)?;
        files.push((name, take(&mut rest, len)?.to_vec()));
    }
    Ok(Some(files))
}

/// The bundled files of the running executable, if any (errors count as none).
pub fn of_this_executable() -> Files {
    std::env::current_exe()
        .ok()
        .and_then(|exe| read(&exe).ok().flatten())
        .unwrap_or_default()
}

/// Writes `exe` (without any site it already carries) plus the files of
/// `<site_root>/pkg` to `out`, atomically. Returns how many files went in.
pub fn write(exe: &Path, site_root: &Path, out: &Path) -> Result<usize> {
    let pkg = site_root.join("pkg");
    let mut entries: Vec<_> = std::fs::read_dir(&pkg)
        .with_context(|| format!("no built site at {} (run scripts/build.sh)", pkg.display()))?
        .collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    let mut payload = vec![];
    let mut count = 0;
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        // TypeScript declarations are for developers, not browsers.
        if !entry.file_type()?.is_file() || name.ends_with(".d.ts") {
            continue;
        }
        let bytes = std::fs::read(entry.path())?;
        payload.extend_from_slice(&u32::try_from(name.len())?.to_le_bytes());
        payload.extend_from_slice(name.as_bytes());
        payload.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        payload.extend_from_slice(&bytes);
        count += 1;
    }
    if count == 0 {
        bail!("{} holds no files", pkg.display());
    }
    let mut file = std::fs::File::open(exe).with_context(|| format!("cannot open {}", exe.display()))?;
    let program_len = payload_start(&mut file)?.unwrap_or(file.metadata()?.len());
    file.seek(SeekFrom::Start(0))?;
    let mut program = vec![0; usize::try_from(program_len)?];
    file.read_exact(&mut program)?;

    let tmp = out.with_extension("bundling");
    let mut target = std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    target.write_all(&program)?;
    target.write_all(&payload)?;
    target.write_all(&(payload.len() as u64).to_le_bytes())?;
    target.write_all(MAGIC)?;
    target.sync_all()?;
    drop(target);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))?;
    }
    std::fs::rename(&tmp, out).with_context(|| format!("cannot replace {}", out.display()))?;
    Ok(count)
}

/// Where the payload starts, when the file ends with a trailer.
fn payload_start(file: &mut std::fs::File) -> Result<Option<u64>> {
    let len = file.metadata()?.len();
    if len < TRAILER {
        return Ok(None);
    }
    file.seek(SeekFrom::Start(len - TRAILER))?;
    let mut trailer = [0u8; TRAILER as usize];
    file.read_exact(&mut trailer)?;
    if &trailer[8..] != MAGIC {
        return Ok(None);
    }
    let payload_len = u64::from_le_bytes(trailer[..8].try_into()?);
    match (len - TRAILER).checked_sub(payload_len) {
        Some(start) => Ok(Some(start)),
        None => bail!("the bundled site's length is larger than the file"),
    }
}

fn take<'a>(rest: &mut &'a [u8], n: usize) -> Result<&'a [u8]> {
    if rest.len() < n {
        bail!("the bundled site is truncated");
    }
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    Ok(head)
}

fn take_u32(rest: &mut &[u8]) -> Result<u32> {
    Ok(u32::from_le_bytes(take(rest, 4)?.try_into()?))
}

fn take_u64(rest: &mut &[u8]) -> Result<u64> {
    Ok(u64::from_le_bytes(take(rest, 8)?.try_into()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_reads_back_what_was_written_and_rebundling_replaces_it() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("program");
        std::fs::write(&exe, b"\x7fELF pretend program").unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("pkg")).unwrap();
        std::fs::write(site.join("pkg/a.css"), b"body{}").unwrap();
        std::fs::write(site.join("pkg/b.wasm"), [0u8, 97, 115, 109]).unwrap();
        assert_eq!(read(&exe).unwrap(), None);

        let out = dir.path().join("bundled");
        assert_eq!(write(&exe, &site, &out).unwrap(), 2);
        let files = read(&out).unwrap().unwrap();
        assert_eq!(
            files,
            [
                ("a.css".to_string(), b"body{}".to_vec()),
                ("b.wasm".to_string(), vec![0, 97, 115, 109])
            ]
        );
        std::fs::write(site.join("pkg/a.css"), b"body{color:red}").unwrap();
        write(&out, &site, &out).unwrap();
        let files = read(&out).unwrap().unwrap();
        assert_eq!(files[0].1, b"body{color:red}");
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(b"\x7fELF pretend program"));
        assert_eq!(
            bytes.windows(MAGIC.len()).filter(|w| w == MAGIC).count(),
            1,
            "one bundle, not two"
        );
    }

    #[test]
    fn a_damaged_trailer_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("program");
        let mut bytes = b"program".to_vec();
        bytes.extend_from_slice(&u64::MAX.to_le_bytes());
        bytes.extend_from_slice(MAGIC);
        std::fs::write(&exe, bytes).unwrap();
        assert!(read(&exe).is_err());
    }
}
