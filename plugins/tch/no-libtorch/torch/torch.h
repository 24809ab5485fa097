// Found only when libtorch is not: `.cargo/config.toml` puts this folder last on the C++
// include path (CPLUS_INCLUDE_PATH), after the -I folders torch-sys passes from LIBTORCH.
#error "libtorch 2.11.0 not found (LIBTORCH points at no libtorch). Run `cargo xtask libtorch` (installs it from PyPI, ~1.3 GB, and links <repo>/.libtorch), or export LIBTORCH=/path/to/libtorch-2.11 (e.g. the PyTorch 2.11 wheel's torch folder). See docs/backends.md."
