import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, GaugeChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, TitleComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, GaugeChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, TitleComponent, CanvasRenderer]);

/** An ECharts chart; `onClick` gets the clicked item's name (for drill-down). `label` describes it to screen readers. */
export function Chart({ option, label, height = 280, onClick }: { option: echarts.EChartsCoreOption; label: string; height?: number; onClick?: (name: string, dataIndex: number) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    chart.setOption(option);
    if (onClick) chart.on('click', (p) => onClick(String(p.name), p.dataIndex));
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [option, onClick]);
  return <div ref={ref} role="img" aria-label={label} style={{ width: '100%', height }} />;
}
