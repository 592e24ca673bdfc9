//! `openbadges bake --image IN [--payload FILE|URL|-] -o OUT [--replace]`.

use std::io::Read as _;
use std::path::PathBuf;

use openbadges::bake::{BadgeVersion, BakeOptions, Error};

use crate::exit;

/// The baking form to force.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Form {
    /// OB 1.x/2.0: PNG keyword `openbadges`, SVG `<openbadges:assertion>`.
    Ob2,
    /// OB 3.0 / CLR 2.0: PNG keyword `openbadgecredential`, SVG `<openbadges:credential>`.
    Ob3,
}

/// Arguments of `bake`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The PNG or SVG image to bake into (a file, `-` for stdin, or an http(s) URL).
    #[arg(long, value_name = "IN")]
    image: PathBuf,
    /// The assertion/credential: a file (JSON or compact JWS/JWT), an http(s) URL to bake as a
    /// hosted assertion, or `-` for stdin (the default).
    #[arg(long, value_name = "FILE|URL|-", default_value = "-")]
    payload: String,
    /// Where to write the baked image (`-` for stdout).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: PathBuf,
    /// Replace a badge the image already holds (otherwise that is an error, exit 1).
    #[arg(long)]
    replace: bool,
    /// Force the baking form instead of choosing it from the payload.
    #[arg(long, value_enum)]
    form: Option<Form>,
    #[command(flatten)]
    net: crate::cmd::extract::NetArgs,
}

fn read_payload(arg: &str, image_from_stdin: bool) -> Result<String, String> {
    if openbadges::proof::input::is_http_url(arg) {
        return Ok(arg.trim().to_owned());
    }
    let bytes = if arg == "-" {
        if image_from_stdin {
            return Err("the image and the payload cannot both come from stdin".into());
        }
        let mut b = Vec::new();
        std::io::stdin()
            .take(crate::cmd::MAX_INPUT_BYTES + 1)
            .read_to_end(&mut b)
            .map_err(|e| format!("stdin: {e}"))?;
        b
    } else {
        crate::cmd::read_input(std::path::Path::new(arg)).map_err(|e| format!("{arg}: {e}"))?
    };
    let text = String::from_utf8(bytes).map_err(|_| format!("{arg}: the payload is not UTF-8"))?;
    // A file's trailing newline is not part of a JWS or URL; JSON does not care.
    Ok(text.trim().to_owned())
}

fn exit_for(e: &Error) -> u8 {
    match e {
        Error::AlreadyBaked { .. } | Error::InvalidPayload { .. } => exit::INVALID,
        _ => exit::CANNOT_CHECK,
    }
}

/// File to file: streamed (a PNG is copied chunk by chunk) into a temporary file beside the
/// output, renamed into place only when baking succeeded.
fn bake_file(args: &Args, payload: &str, options: &BakeOptions) -> u8 {
    let src = match std::fs::File::open(&args.image) {
        Ok(f) => f,
        Err(e) => {
            errln!("openbadges bake: {}: {e}", args.image.display());
            return exit::CANNOT_CHECK;
        }
    };
    let mut tmp_name = args.output.clone().into_os_string();
    tmp_name.push(format!(".partial-{}", std::process::id()));
    let tmp = PathBuf::from(tmp_name);
    let dst = match std::fs::File::create(&tmp) {
        Ok(f) => f,
        Err(e) => {
            errln!("openbadges bake: {}: {e}", args.output.display());
            return exit::CANNOT_CHECK;
        }
    };
    let result = openbadges::bake::bake_stream(src, dst, payload, options);
    match result {
        Ok(_) => match std::fs::rename(&tmp, &args.output) {
            Ok(()) => exit::OK,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                errln!("openbadges bake: {}: {e}", args.output.display());
                exit::CANNOT_CHECK
            }
        },
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            errln!("openbadges bake: {}: {e}", args.image.display());
            exit_for(&e)
        }
    }
}

/// Runs `bake`, returning the process exit code.
pub(crate) fn run(args: Args) -> u8 {
    let image_stdin = args.image.as_os_str() == "-";
    let payload = match read_payload(&args.payload, image_stdin) {
        Ok(p) => p,
        Err(e) => {
            errln!("openbadges bake: {e}");
            return exit::CANNOT_CHECK;
        }
    };
    let options = BakeOptions::default()
        .replace(args.replace)
        .version(args.form.map(|f| match f {
            Form::Ob2 => BadgeVersion::V2,
            Form::Ob3 => BadgeVersion::V3,
        }));
    let text = args.image.to_string_lossy();
    let plain_file =
        !(args.image.as_os_str() == "-" || openbadges::proof::input::is_http_url(&text));
    if plain_file && args.output.as_os_str() != "-" {
        return bake_file(&args, &payload, &options);
    }
    let image = match crate::cmd::extract::read_image(&args.image, &args.net) {
        Ok(b) => b,
        Err(e) => {
            errln!("openbadges bake: {e}");
            return exit::CANNOT_CHECK;
        }
    };
    let baked = match openbadges::bake::bake(&image, &payload, &options) {
        Ok(b) => b,
        Err(e) => {
            errln!("openbadges bake: {}: {e}", args.image.display());
            return exit_for(&e);
        }
    };
    if args.output.as_os_str() == "-" {
        crate::out::bytes(&baked);
        return exit::OK;
    }
    match std::fs::write(&args.output, &baked) {
        Ok(()) => exit::OK,
        Err(e) => {
            errln!("openbadges bake: {}: {e}", args.output.display());
            exit::CANNOT_CHECK
        }
    }
}
