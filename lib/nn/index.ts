/**
 * lib/nn: recurrent networks (RNN, LSTM, GRU) as forward/backward pairs over flat typed arrays,
 * built on the lib/tensor kernels. This is the public API the forecasting engine codes against.
 */
export type { Floats, DType, Rng } from "../tensor";
export type { CellKind, LayerStates, RecurrentSpec } from "./recurrent";
export { RecurrentLayer, RecurrentStack, recurrentParamSpecs, gateCount } from "./recurrent";
export { Dense, denseParamSpecs } from "./dense";
export { stackActivations, networkActivations, GATE_NAMES, type LayerActivations, type GateName } from "./activations";
export { ParamStore, type ParamSpec, type ParamEntry } from "./params";
export {
  createNetwork, normalizeConfig, networkParamSpecs, RecurrentNetwork,
  type NetworkConfig, type Batch, type Network, type BackwardOptions, type ForwardOptions,
} from "./network";
export { serializeNetwork, deserializeNetwork, MODEL_MAGIC, MODEL_FORMAT_VERSION } from "./serialize";
export { mseLoss, maeLoss, huberLoss, pinballLoss } from "./loss";
export { Adam, SGD, clipGradNorm, type AdamOptions, type SGDOptions } from "./optim";
export { lossWithGrad, type LossKind } from "./lossKind";
// Data-parallel training (Node worker_threads) lives in "lib/nn/parallel" and is not re-exported here.
