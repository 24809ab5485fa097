//! The unconstrained feature model (UFM): features H are free parameters, trained jointly with
//! a linear classifier (W, b) under cross-entropy with weight decay.
//!
//! f(W,H,b) = (1/N) Σ_i CE(W h_i + b, y_i) + (λ_W/2)‖W‖² + (λ_H/2)‖H‖² + (λ_b/2)‖b‖².
//! The loss is averaged over N; the regularisers are not (`docs/theory.md` §1).

mod flat;
mod hessian;
mod labels;
mod objective;
mod point;
mod problem;

pub use flat::Layout;
pub use hessian::{
    dense_hessian, hessian_quadratic_form, hessian_vector_product, DENSE_HESSIAN_MAX_PARAMS,
};
pub use labels::Labels;
pub use objective::{Evaluation, Gradient};
pub use point::Point;
pub use problem::{Bias, Ufm};
