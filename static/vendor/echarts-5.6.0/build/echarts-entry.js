// The charts this project draws, and nothing else (ECharts' modular build): bar and line series with a
// grid, axis tooltips, (scrolling) legends and mark lines, drawn on canvas. Exposed as window.echarts like
// the full build, so static/js/*.js need no change. Rebuild: see README.md beside this file.
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  LegendScrollComponent,
  MarkLineComponent,
  TooltipComponent,
} from "echarts/components";
import { LabelLayout } from "echarts/features";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  LineChart,
  GridComponent,
  LegendComponent,
  LegendScrollComponent,
  MarkLineComponent,
  TooltipComponent,
  LabelLayout,
  CanvasRenderer,
]);

window.echarts = echarts;
