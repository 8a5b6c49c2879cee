import { BarController, BarElement, CategoryScale } from "chart.js";
import { MatrixController, MatrixElement } from "chartjs-chart-matrix";
import { Chart } from "./setup";

// The model anatomy's charts add heatmaps (chartjs-chart-matrix) and bars to the shared setup.
Chart.register(BarController, BarElement, CategoryScale, MatrixController, MatrixElement);

export { Chart };
