import { RouteTable } from './route-table';

describe('RouteTable', () => {
  it('finds the methods of a concrete path, HEAD with GET, case-sensitive like the router', () => {
    // Arrange
    const table = new RouteTable();
    table.add('/v1/me/cards', ['GET']);
    table.add('/v1/me/cards/:par/limits', ['PUT']);
    table.add('/v1/me/cards/:par/status', ['PUT']);
    table.add('*', ['OPTIONS']);

    // Act / Assert
    expect(table.methodsAt('/v1/me/cards?x=1')).toEqual(['GET', 'HEAD']);
    expect(table.methodsAt('/v1/me/cards/ABC/limits')).toEqual(['PUT']);
    expect(table.methodsAt('/v1/me/cards//limits')).toEqual([]);
    expect(table.methodsAt('/V1/ME/CARDS')).toEqual([]);
    expect(table.methodsAt('/nowhere')).toEqual([]);
  });
});
