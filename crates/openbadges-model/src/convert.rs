//! Conversion from OB 2.0 to OB 3.0. (Being written: see the model issue.)
