using SmartStore.Persistence;
using Xunit;

namespace SmartStore.Testing;

/// <summary>
/// Base of every test class that runs against a fresh store of one kind: a subclass names the store
/// (<see cref="CreateFactory"/>); the store is opened before each test and closed and removed after it.
/// </summary>
public abstract class StoreTestBase : IAsyncLifetime
{
    private IStoreFactory _factory = null!;

    protected IEventStore Store { get; private set; } = null!;

    protected abstract IStoreFactory CreateFactory();

    public virtual async Task InitializeAsync()
    {
        _factory = CreateFactory();
        Store = await _factory.OpenAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await _factory.DisposeAsync();
    }

    /// <summary>Closes the store and opens the same one again (a restart), optionally with other group-commit settings.</summary>
    protected async Task<IEventStore> ReopenAsync(GroupCommitOptions? options = null)
    {
        await Store.DisposeAsync();
        Store = await _factory.OpenAsync(options);
        return Store;
    }
}
